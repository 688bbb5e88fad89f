"""Time (or profile) the rules stage alone on generated logs.

    python benchmarks/rules_profile.py                   # 10k and 50k, text rules and MBR006
    python benchmarks/rules_profile.py --sizes 10000 --profile   # cProfile, top 30 by cumtime
    python benchmarks/rules_profile.py --baseline /tmp/old      # also time a copy of the old
                                                  # code (a directory holding an `mbr` package)

Entries are built once per size from the generated .csv (see generate.py)
and cached as a pickle in benchmarks/data/ (git-ignored), so only the rules
are timed: `check_entries` with every rule on (first, so caches are cold as
in a real run), then split into the text and custom rules (`check_entry` per
entry) and MBR005/MBR006 (`check_collection`).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pickle
import pstats
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from mbr.config import Config, load_config  # noqa: E402
from mbr.model import Entry  # noqa: E402


def load_entries(size: int, config: Config) -> list[Entry]:
    cache = generate.DATA / f"entries-{size}.pickle"
    if cache.exists():
        entries: list[Entry] = pickle.loads(cache.read_bytes())
        return entries
    from mbr.entries import build_entries
    from mbr.intake import read_sources

    intake = read_sources([str(generate.ensure(size, "csv"))])
    entries, _ = build_entries(intake.records, config, today=generate.TODAY)
    cache.write_bytes(pickle.dumps(entries))
    return entries


def time_stages(entries: list[Entry], config: Config) -> dict[str, float]:
    from mbr.rules.collection import check_collection
    from mbr.rules.engine import RuleSet, check_entries, check_entry

    times: dict[str, float] = {}
    rules = RuleSet(config)  # imports the rule modules, compiling their patterns: not timed
    start = time.perf_counter()
    found = check_entries(entries, config)  # first, with cold per-text caches, as in a run
    times["all"] = time.perf_counter() - start
    start = time.perf_counter()
    for entry in entries:
        check_entry(entry, rules)
    times["text"] = time.perf_counter() - start
    start = time.perf_counter()
    check_collection(entries, rules)
    times["collection"] = time.perf_counter() - start
    times["diagnostics"] = len(found)
    # A fingerprint of every diagnostic, to see two versions agree (48 bits fit a float).
    times["digest"] = int(hashlib.sha256(repr(found).encode()).hexdigest()[:12], 16)
    return times


def _timed_in_child(size: int, baseline: str | None) -> dict[str, float]:
    """time_stages in a fresh process, on this code or on the baseline's `mbr`."""
    env = dict(os.environ)
    if baseline:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [baseline, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(size)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    times: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def _line(label: str, size: int, times: dict[str, float]) -> str:
    return (
        f"N={size:>6} {label:<8} text+custom {times['text']:6.2f} s "
        f"({times['text'] / size * 1000:.3f} ms/entry)  MBR005+MBR006 {times['collection']:6.2f} s"
        f"  check_entries {times['all']:6.2f} s  {times['diagnostics']:.0f} diagnostics"
        f" (digest {int(times['digest']):012x})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--profile", action="store_true", help="cProfile check_entries instead")
    parser.add_argument("--baseline", help="a directory with another `mbr` package to compare")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    config = load_config(generate.CONFIG)
    if args.child:
        print(json.dumps(time_stages(load_entries(args.child, config), config)))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        entries = load_entries(size, config)  # built (and cached) once, outside the timing
        if args.profile:
            from mbr.rules.engine import check_entries

            profile = cProfile.Profile()
            profile.runcall(check_entries, entries, config)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            continue
        if args.baseline:
            print(_line("baseline", size, _timed_in_child(size, args.baseline)), flush=True)
        print(_line("this", size, _timed_in_child(size, None)), flush=True)


if __name__ == "__main__":
    main()
