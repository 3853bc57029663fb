"""Override lists shared by the training tests."""

# What Lightning's DDP launcher writes into the environment of the process that fits (rank 0 included).
LAUNCHER_VARIABLES = (
    "MASTER_ADDR",
    "MASTER_PORT",
    "NODE_RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "RANK",
    "GROUP_RANK",
)

PAPER_TINY_DATA = [  # the paper experiments' data shrunk to 40 Lagrangians of 1-2 fields, no OOD splits
    "data.n_lagrangians=40",
    "data.max_fields=2",
    "data.num_workers=1",
    "data.chunk_size=16",
    "data.val_fraction=0.2",
    "data.test_fraction=0.2",
    "data.card=false",
    "data.ood.ood_fields.enabled=false",
    "data.ood.ood_hypercharge.enabled=false",
    "data.ood.ood_reps.enabled=false",
    "data.ood.benchmarks.enabled=false",
    "data.datamodule.batch_size=4",
    "data.datamodule.eval_splits=[]",
]
