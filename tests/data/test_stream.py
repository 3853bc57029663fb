"""The training stream: fresh Lagrangians from the sampler and the oracle, never a held-out field list,
reproducible from its seed, resumable at the batch it stopped at."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from data_helpers import compose_data

from src.data.datamodule import LagrangianDataModule
from src.data.rows import fields_from_row, multiset_key
from src.data.splits import split_of
from src.physics.lagrangian import build_lagrangian
from src.tokens import build_scheme


def make_dm(
    tiny_dir, seed=0, epoch_batches=6, batch_size=8, start_epoch=0, scheme="paper"
) -> LagrangianDataModule:
    data = compose_data("tiny")
    dm = LagrangianDataModule(
        str(tiny_dir),
        scheme=build_scheme(scheme, **({"canonical": True} if scheme == "field_refs" else {})),
        batch_size=batch_size,
        eval_splits=["ood_hypercharge"],
        generate={k: v for k, v in data.items() if k != "datamodule"},
        stream={"enabled": True, "epoch_batches": epoch_batches},
        seed=seed,
    )
    dm.prepare_data()
    dm.setup("fit")
    if start_epoch:
        dm.load_state_dict({"stream": {"epoch": start_epoch, "batches": 0}})
    return dm


def batch_inputs(batches) -> list[tuple]:
    return [tuple(map(tuple, b["input_ids"].tolist())) for b in batches]


def test_stream_never_yields_a_held_out_field_list(tiny_dir):
    dm = make_dm(tiny_dir, epoch_batches=12)
    stream = dm.train_stream()
    held_out = set()
    for split in ("val", "test", "ood_fields", "ood_hypercharge", "ood_reps"):
        held_out |= set(dm.table(split)["key"])
    seen = []
    for example in stream.examples(worker=0):
        seen.append(example)
        if len(seen) == 300:
            break
    assert stream.rejects["held_out"] > 0  # the check really ran: the tiny vocabulary does hit held-out keys
    # rebuild each example's field list from its source words and check its key against every held-out table
    s = stream.settings
    from src.tokens.paper import parse_fields_tokens

    for e in seen:
        fields = parse_fields_tokens(dm.scheme.decode(e["input_ids"]))
        key = multiset_key(fields)
        assert key not in held_out
        assert split_of(key, s.val_fraction, s.test_fraction) == "train"


def test_stream_targets_are_the_oracle_lagrangians(tiny_dir):
    dm = make_dm(tiny_dir)
    from src.tokens.paper import parse_fields_tokens

    for e, _ in zip(dm.train_stream().examples(worker=0), range(20)):
        fields = parse_fields_tokens(dm.scheme.decode(e["input_ids"]))
        words = dm.scheme.decode(e["labels"])
        parsed = dm.scheme.parse_target(words, fields)
        want = build_lagrangian(fields)
        assert len(parsed.terms) == len(want.terms) and all(t.valid for t in parsed.terms)


def test_stream_is_reproducible_from_its_seed_and_fresh_each_epoch(tiny_dir):
    a, b, c = make_dm(tiny_dir, seed=3), make_dm(tiny_dir, seed=3), make_dm(tiny_dir, seed=4)
    first = batch_inputs(a.train_dataloader())
    assert first == batch_inputs(b.train_dataloader())
    assert first != batch_inputs(c.train_dataloader())
    assert len(first) == 6
    second_epoch = batch_inputs(a.train_dataloader())
    assert second_epoch != first and a.state_dict()["stream"] == {"epoch": 2, "batches": 0}


def test_passes_cut_at_the_epoch_length_move_to_fresh_epochs(tiny_dir):
    # a Lightning fit takes len() batches per epoch and drops the iterator without exhausting it
    dm = make_dm(tiny_dir, epoch_batches=3)
    loader = dm.train_dataloader()
    passes = []
    for _ in range(3):
        it = iter(loader)
        passes.append(batch_inputs([next(it) for _ in range(len(loader))]))
        assert dm.state_dict()["stream"] == {"epoch": len(passes), "batches": 0}
    assert passes[0] != passes[1] != passes[2] != passes[0]
    assert passes[1] == batch_inputs(make_dm(tiny_dir, epoch_batches=3, start_epoch=1).train_dataloader())


def test_resumed_stream_continues_at_the_batch_it_stopped_at(tiny_dir):
    whole = batch_inputs(make_dm(tiny_dir).train_dataloader())
    interrupted = make_dm(tiny_dir)
    it = iter(interrupted.train_dataloader())
    head = [next(it) for _ in range(4)]
    state = interrupted.state_dict()
    assert state["stream"] == {"epoch": 0, "batches": 4}
    resumed = make_dm(tiny_dir)
    resumed.load_state_dict(state)
    tail = list(resumed.train_dataloader())
    assert batch_inputs(head) + batch_inputs(tail) == whole


def test_fields_from_row_round_trip_is_what_the_key_means(tiny_dir):
    # the held-out test above keys examples by their parsed fields: the same key the tables store
    dm = make_dm(tiny_dir)
    row = dm.table("val").iloc[0].to_dict()
    assert multiset_key(fields_from_row(row)) == row["key"]


def test_keep_by_fields_reweights_the_field_counts(tiny_dir):
    def one_field_share(dm) -> float:
        examples = [e for e, _ in zip(dm.train_stream().examples(worker=0), range(200))]
        ones = sum(e["input_ids"].count(dm.scheme.ids(["FIELD"])[0]) == 1 for e in examples)
        return ones / len(examples)

    plain = make_dm(tiny_dir)
    fewer = make_dm(tiny_dir)
    fewer.stream_cfg["keep_by_fields"] = [0.25]
    assert one_field_share(fewer) < one_field_share(plain) - 0.1
    assert fewer.train_stream().rejects["field_count_reweighted"] > 0


def test_ranks_draw_different_batches(tiny_dir):
    stream = make_dm(tiny_dir).train_stream()
    rank0 = [tuple(e["input_ids"]) for b in stream.batches(0) for e in b]
    rank1 = [tuple(e["input_ids"]) for b in stream.batches("1.0") for e in b]
    assert len(rank0) == len(rank1) and rank0 != rank1


def test_canonical_ids_renumber_the_share_of_each_epoch_and_then_stop(tiny_dir):
    from src.tokens.grammar import ID_PATTERN, renumber_term_ids

    def labels(dm, epoch: int) -> list[list[str]]:
        stream = dm.train_stream()
        stream.epoch = epoch
        return [dm.scheme.decode(e["labels"]) for e, _ in zip(stream.examples(worker=0), range(60))]

    def canonical(words: list[str]) -> bool:
        return renumber_term_ids(words) == words

    plain = make_dm(tiny_dir)
    curriculum = make_dm(tiny_dir)
    curriculum.stream_cfg["canonical_ids"] = [1.0, 0.5]
    for epoch in (0, 1, 2):
        random_ids, renumbered = labels(plain, epoch), labels(curriculum, epoch)
        # the same Lagrangians, spelled with the same words but for the IDs
        assert [renumber_term_ids(w) for w in random_ids] == [renumber_term_ids(w) for w in renumbered]
        with_ids = [w for w in renumbered if any(ID_PATTERN.fullmatch(t) for t in w)]
        share = sum(map(canonical, with_ids)) / len(with_ids)
        if epoch == 0:
            assert share == 1.0
        elif epoch == 1:
            assert 0.2 < share < 0.8
        else:  # past the list: the scheme's random IDs (a random draw is canonical only by chance)
            assert share < 0.2
    # the renumbered targets still read back as the oracle's terms
    from src.tokens.paper import parse_fields_tokens

    stream = curriculum.train_stream()
    stream.epoch = 0
    for e, _ in zip(stream.examples(worker=0), range(10)):
        fields = parse_fields_tokens(curriculum.scheme.decode(e["input_ids"]))
        parsed = curriculum.scheme.parse_target(curriculum.scheme.decode(e["labels"]), fields)
        assert len(parsed.terms) == len(build_lagrangian(fields).terms) and all(t.valid for t in parsed.terms)


def test_a_canonical_id_scheme_skips_the_curriculum_and_streams_the_same_targets(tiny_dir):
    def first_labels(canonical_ids: list[float]) -> list[list[int]]:
        dm = make_dm(tiny_dir)
        dm.scheme = build_scheme("paper_canonical")
        dm.stream_cfg["canonical_ids"] = canonical_ids
        stream = dm.train_stream()
        assert stream.canonical_ids == []  # no per-example decode and re-encode for nothing
        return [e["labels"] for e, _ in zip(stream.examples(worker=0), range(30))]

    assert first_labels([1.0, 0.5]) == first_labels([])


def test_a_curriculum_ended_early_streams_the_schemes_own_ids_and_stays_ended_on_resume(tiny_dir):
    def first_labels(dm, epoch: int) -> list[list[int]]:
        stream = dm.train_stream()
        stream.epoch = epoch
        return [e["labels"] for e, _ in zip(stream.examples(worker=0), range(30))]

    plain, cut = make_dm(tiny_dir), make_dm(tiny_dir)
    cut.stream_cfg["canonical_ids"] = [1.0, 1.0, 1.0]
    stream = cut.train_stream()
    assert first_labels(cut, 1) != first_labels(plain, 1)  # epoch 1 is renumbered while the list stands
    assert stream.end_canonical_ids(after_epoch=0) is True
    assert stream.canonical_ids == [1.0] and stream.end_canonical_ids(after_epoch=0) is False
    assert first_labels(cut, 1) == first_labels(plain, 1)  # the very targets of a run without a curriculum
    assert first_labels(cut, 0) != first_labels(plain, 0)  # the epoch already begun keeps its share
    state = stream.state_dict()
    assert state["canonical_ids"] == [1.0]
    resumed = make_dm(tiny_dir)
    resumed.stream_cfg["canonical_ids"] = [1.0, 1.0, 1.0]
    resumed.train_stream().load_state_dict(state)
    assert resumed.train_stream().canonical_ids == [1.0]
    assert "canonical_ids" not in plain.train_stream().state_dict()  # nothing to restore when nothing was cut


def _input_fields(dm, example):
    """The input field list of a field_refs example (its F0, F1, ... labels dropped)."""
    from src.tokens.paper import parse_fields_tokens

    words = dm.scheme.decode(example["input_ids"])
    return parse_fields_tokens([w for w in words if not (w[0] == "F" and w[1:].isdigit())])


def _sublist_dm(tiny_dir, **sublists):
    # field_refs: the scheme that names fields by position, so two identical fields stay two
    dm = make_dm(tiny_dir, scheme="field_refs")
    # sub-lists of the paper's sampled lists (1-6 fields, a planted trilinear); held out: the tiny tables
    dm.settings = replace(dm.settings, sampler="sampled", max_fields=6)
    dm.stream_cfg["sublists"] = {
        "sizes": [0.1, 0.3, 0.3, 0.3],
        "planted_share": 0.5,
        "repeat_share": 0.2,
        "own_terms": True,
        **sublists,
    }
    return dm


def test_a_sublist_stream_trains_on_the_terms_that_hold_every_field_of_each_sub_list(tiny_dir):
    from src.physics.lagrangian import own_terms

    dm = _sublist_dm(tiny_dir)
    sizes, repeats, empty = Counter(), 0, 0
    for e, _ in zip(dm.train_stream().examples(worker=0), range(120)):
        fields = _input_fields(dm, e)
        sizes[len(fields)] += 1
        repeats += len(set(fields)) < len(fields)
        parsed = dm.scheme.parse_target(dm.scheme.decode(e["labels"]), fields)
        want = own_terms(build_lagrangian(fields))
        assert sorted(map(repr, (t.term for t in parsed.terms))) == sorted(map(repr, want.terms))
        empty += not want.terms
        if len(fields) > 1:
            assert all(len({f.field for f in t.term.factors}) == len(fields) for t in parsed.terms)
    assert set(sizes) <= {1, 2, 3, 4} and sizes[4] > 0 and sizes[1] > 0
    assert repeats > 0  # identical fields (two doublets alike) are drawn
    assert 0 < empty < 120  # sub-lists with no term of their own are drawn too, and not only those


def test_empty_share_keeps_that_share_of_the_sub_lists_without_own_terms(tiny_dir):
    from src.physics.lagrangian import own_terms

    def empty_share(dm) -> float:
        stream = dm.train_stream()
        examples = [e for e, _ in zip(stream.examples(worker=0), range(100))]
        return sum(not own_terms(build_lagrangian(_input_fields(dm, e))).terms for e in examples) / 100

    none = _sublist_dm(tiny_dir, empty_share=0.0)
    assert empty_share(none) == 0.0 and none.train_stream().rejects["empty_reweighted"] > 0
    assert empty_share(_sublist_dm(tiny_dir, empty_share=1.0)) > 0.2


def test_empty_share_by_size_keeps_the_empties_of_one_size_and_drops_the_others(tiny_dir):
    from src.physics.lagrangian import own_terms

    dm = _sublist_dm(tiny_dir, empty_share=[1.0, 0.0, 1.0, 0.0])
    empty_sizes = Counter()
    for e, _ in zip(dm.train_stream().examples(worker=0), range(150)):
        fields = _input_fields(dm, e)
        if not own_terms(build_lagrangian(fields)).terms:
            empty_sizes[len(fields)] += 1
    assert empty_sizes[3] > 0  # three-field sub-lists without a term of their own are kept
    assert empty_sizes[2] == 0 and empty_sizes[4] == 0  # two- and four-field ones are not


def test_a_sublist_stream_with_own_terms_off_trains_on_whole_lagrangians(tiny_dir):
    dm = _sublist_dm(tiny_dir, own_terms=False)
    for e, _ in zip(dm.train_stream().examples(worker=0), range(30)):
        fields = _input_fields(dm, e)
        parsed = dm.scheme.parse_target(dm.scheme.decode(e["labels"]), fields)
        assert len(parsed.terms) == len(build_lagrangian(fields).terms)


def test_a_sublist_stream_never_yields_a_held_out_field_list(tiny_dir):
    dm = _sublist_dm(tiny_dir)
    held_out = set()
    for split in ("val", "test", "ood_fields", "ood_hypercharge", "ood_reps"):
        held_out |= set(dm.table(split)["key"])
    stream = dm.train_stream()
    for e, _ in zip(stream.examples(worker=0), range(200)):
        assert multiset_key(_input_fields(dm, e)) not in held_out
    assert stream.rejects["held_out"] > 0


@pytest.mark.parametrize(
    "bad, named",
    [
        ({"sizes": [1, 1, 1, 1, 1]}, "sizes"),
        ({"sizes": [0, 0]}, "sizes"),
        ({"sizes": [-1, 2]}, "sizes"),
        ({"sizes": [1], "planted_share": 1.5}, "planted_share"),
        ({"sizes": [1], "repeat_share": -0.1}, "repeat_share"),
        ({"sizes": [1], "near_miss_share": 2}, "near_miss_share"),
        ({"sizes": [1], "empty_share": 1.5}, "empty_share"),
        ({"sizes": [1, 1], "empty_share": [1.0]}, "empty_share"),  # one share per size
        ({"sizes": [1, 1], "empty_share": [1.0, -0.5]}, "empty_share"),
        ({"sizes": [1], "empty_share": "most"}, "empty_share"),
    ],
)
def test_bad_sublist_settings_are_refused_by_name(bad, named):
    from src.data.stream import check_sublists
    from src.errors import UserError

    with pytest.raises(UserError, match=rf"data\.datamodule\.stream\.sublists\.{named}"):
        check_sublists(bad)
    assert check_sublists({"sizes": []}) is None
