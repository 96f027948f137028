#!/usr/bin/env python3
"""The build benchmark: dafu against Hugo on the same synthetic replies.

    python3 benches/bench.py --sizes 1000,10000
    python3 benches/bench.py --sizes 1000,10000,100000 --runs 3
    python3 benches/bench.py --sizes 10000 --no-hugo \
        --baseline old=/tmp/old/target/release/dafu --baseline-gen /tmp/old/benches/gen_corpus.py

For each size it generates a corpus with benches/gen_corpus.py (cached
under --work), builds dafu in release, and times `dafu build` several times:
"fresh" into an empty output folder, "rebuild" over the output of an
earlier build with nothing changed, and "edit" over it after one reply's
text changed (a sentence added to the same reply in both corpora), which
is an editor's usual next build. Where `hugo` is installed it builds the
same replies (`gen_corpus.py --format hugo`) with the minimal templates in
benches/hugo/, interleaved run by run with dafu's so that both meet the same
load on a shared machine, and the ratio dafu/hugo is printed per size.

--baseline NAME=PATH (repeatable) times another dafu executable the same
way, interleaved with this one, and prints this one's time over it: a
change's cost, measured in one run. A baseline from before a corpus
generator's change may not read what today's generator writes: with
--baseline-gen (the generator as it was, say from `git worktree add`),
the baselines and this dafu all build that generator's corpus, the ratios
compare those builds, and this dafu builds today's corpus as well.
After each fresh Hugo build it times `cp -r` of Hugo's output into a new
folder: the least any generator can take to write those files on this
disk, as a fraction of Hugo's build (the "floor" line). After each fresh
dafu build it times copying that build's search index (two `cp -r` at
once) into a new folder: the least the index's files alone cost in a build
into an empty folder, as a fraction of dafu's build (the "index floor"
line), and copying its whole output with `cp -r`: issue #22 asks for a
fresh build within 1.25 times that (the "own copy" line, with the output's
files and bytes). Each case also prints the search index's share of dafu's
build, its `search` stage over the wall time (issue #5 asks for at most 10 %).

Each figure is a median: wall time, CPU (user + system) and peak resident
memory, the last two from the child's own rusage (os.wait4). dafu's stages
come from its `DAFU_TIMINGS=1` lines on stderr (`timing render 512.3 ms
283 MiB`: the stage's time and the peak memory by its end). Hugo builds
sizes up to --hugo-max only (10,000 by default): at 100,000 replies it
would need some 20 GB of memory. With --serve, benches/serve_latency.py
(where it exists) runs on the 10,000-reply site, with $DAFU_BIN and
$DAFU_SITE set and --serve-args passed on.
Output folders are synced to disk before every timed run, so one run's
write-back does not land in the next one's time.

Standard library only (Python 3.11).
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_GEN = HERE / "gen_corpus.py"
CASES = ("fresh", "rebuild", "edit")
TIMING = re.compile(r"^timing (\S+) ([0-9.]+) ms(?: ([0-9]+) MiB)?$")


def edited(site):
    """The reply the "edit" case changes: the first by path of every
    generated corpus (the generator names files alike in both formats)."""
    return min((site / "content").rglob("*.md"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated reply counts (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per size and case (default 5)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dafu-bench"), help="corpora and outputs (default /tmp/dafu-bench)")
    ap.add_argument("--gen", type=Path, default=None, help="corpus generator (default: benches/gen_corpus.py, or $DAFU_GEN_CORPUS)")
    ap.add_argument("--no-hugo", action="store_true", help="do not build with Hugo even if installed")
    ap.add_argument("--hugo-max", type=int, default=10000,
                    help="largest size Hugo builds (default 10000: at 100,000 replies it needs some 20 GB of memory)")
    ap.add_argument("--no-cargo", action="store_true", help="use target/release/dafu as it is")
    ap.add_argument("--baseline", action="append", default=[], metavar="NAME=PATH",
                    help="another dafu executable to time alongside (repeatable; NAME defaults to baseline)")
    ap.add_argument("--baseline-gen", type=Path,
                    help="the corpus generator the baselines read (default: the same as --gen)")
    ap.add_argument("--serve", action="store_true", help="also run benches/serve_latency.py, if it exists")
    ap.add_argument("--serve-args", default="", help="arguments for serve_latency.py (it also gets $DAFU_BIN and $DAFU_SITE)")
    ap.add_argument("--json", type=Path, help="write every measurement here")
    a = ap.parse_args()

    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    gen = a.gen or Path(os.environ.get("DAFU_GEN_CORPUS", DEFAULT_GEN))
    if not gen.exists():
        sys.exit(f"bench: no corpus generator at {gen}; pass --gen")
    if a.baseline_gen and not a.baseline_gen.exists():
        sys.exit(f"bench: no corpus generator at {a.baseline_gen}")
    if a.baseline_gen and not a.baseline:
        sys.exit("bench: --baseline-gen needs a --baseline")
    a.baselines = baselines(a.baseline)
    a.work.mkdir(parents=True, exist_ok=True)
    hugo = None if a.no_hugo else shutil.which("hugo")

    print(machine_line(), flush=True)
    if not a.no_cargo:
        run_checked(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    dafu = REPO / "target" / "release" / "dafu"
    for name, path in a.baselines:
        print(f"{name}: {path}", flush=True)
    if hugo:
        print(f"hugo: {subprocess.run([hugo, 'version'], capture_output=True, text=True).stdout.strip()}", flush=True)
    elif a.no_hugo:
        print("hugo: not run (--no-hugo); dafu alone", flush=True)
    else:
        print("hugo: not installed (apt-get install hugo); dafu alone", flush=True)

    # Outputs of an earlier run are moved aside now and deleted with this
    # run's at the end (see `measure` for why not before).
    outputs = a.work / "out"
    trash = a.work / f"out.old.{os.getpid()}"
    if outputs.exists():
        outputs.rename(trash)
    results = {}
    try:
        for n in sizes:
            measure_size(a, n, gen, dafu, hugo, outputs, results)
    finally:
        print("\nremoving outputs …", flush=True)
        shutil.rmtree(outputs, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
    print("\n" + table(results))
    if a.json:
        a.json.write_text(json.dumps({str(n): r for n, r in results.items()}, indent=1, ensure_ascii=False))
    if a.serve:
        serve(dafu, a.work, gen, a.serve_args.split())


def baselines(specs):
    """(name, executable) of each --baseline NAME=PATH; the name defaults to `baseline`."""
    found = []
    for spec in specs:
        name, _, path = spec.rpartition("=")
        name, path = name or "baseline", Path(path)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in ("dafu", "hugo", "copy", "index_copy", "own_copy"):
            sys.exit(f"bench: --baseline {spec}: the name must be letters, digits, '-', '_' or '.', and not dafu or hugo")
        if not os.access(path, os.X_OK):
            sys.exit(f"bench: --baseline {spec}: {path} is not an executable")
        if any(name == other for other, _ in found):
            sys.exit(f"bench: two baselines named {name}")
        found.append((name, path.resolve()))
    return found


def measure_size(a, n, gen, dafu, hugo, outputs, results):
    """Measures one size, dafu, its baselines and (up to --hugo-max) Hugo, into `results`."""
    site = corpus(gen, a.work, n, "dafu")
    tools = [Tool("dafu", site, dafu_command(dafu, site))]
    if a.baselines:
        # The baselines' corpus; this dafu builds it too, to compare with them.
        bsite = corpus(a.baseline_gen, a.work, n, "dafu", "baseline") if a.baseline_gen else site
        if a.baseline_gen:
            tools.append(Tool(OWN_ON_BASELINE_CORPUS, bsite, dafu_command(dafu, bsite)))
        tools += [Tool(name, bsite, dafu_command(path, bsite)) for name, path in a.baselines]
    if hugo and n <= a.hugo_max:
        hsite = corpus(gen, a.work, n, "hugo")
        # The templates travel with the harness; copied each time so an
        # edit to them is always what is measured.
        shutil.copytree(HERE / "hugo", hsite, dirs_exist_ok=True)
        tools.append(Tool("hugo", hsite, hugo_command(hugo, hsite)))
    print(f"\n{n} replies: {a.runs} runs each of {', '.join(CASES)}", flush=True)
    results[n] = measure(tools, a.runs, outputs / str(n))
    print_size(n, results[n])


# This dafu on the baselines' corpus, when they have a generator of their own.
OWN_ON_BASELINE_CORPUS = "dafu-on-baseline-corpus"


class Tool:
    """One generator on one corpus: how to build it into a given folder."""

    def __init__(self, name, site, command):
        self.name, self.site, self.command = name, site, command


def dafu_command(dafu, site):
    return lambda out: [str(dafu), "--root", str(site), "build", "--output", str(out)]


def hugo_command(hugo, site):
    return lambda out: [hugo, "--source", str(site), "--destination", str(out), "--quiet"]


def measure(tools, runs, outputs):
    """Fresh runs, then rebuild runs, then edit runs, alternating tools within each run.

    Every fresh run writes into a folder of its own under `outputs`, and
    nothing is deleted until the whole benchmark is over: this disk's ext4
    has no journal, and then it will not reuse an inode freed in the last 30
    seconds, so creating files just after deleting tens of thousands made
    each fresh run slower than the one before it (2.8 s, then 6, 12, 17 s
    for 10,000 replies) and measured the deletion, not the build.
    """
    samples = {t.name: {case: [] for case in CASES} for t in tools}
    copies, index_copies, own_copies = [], [], []
    for i in range(runs):
        for tool in tools:
            out = outputs / f"{tool.name}-fresh-{i}"
            samples[tool.name]["fresh"].append(timed(tool.command(out)))
            report("fresh", i, tool.name, samples[tool.name]["fresh"][-1])
            if tool.name == "dafu":
                # The least the search index's files alone cost in a build
                # into an empty folder: copying dafu's own from the page
                # cache, two copies at once as dafu writes with two threads.
                index_copies.append(copy_index(out, outputs / f"index-copy-{i}"))
                report("fresh", i, "index cp", index_copies[-1])
                # Issue #22: a fresh build within 1.25 times the copy of
                # its own output, read back from the page cache.
                own_copies.append(timed(["cp", "-r", str(out), str(outputs / f"own-copy-{i}")]))
                own_copies[-1].update(output_size(out))
                report("fresh", i, "own cp", own_copies[-1])
            if tool.name == "hugo":
                # The floor of a build into an empty folder on this disk:
                # only creating the files Hugo made (fewer than dafu's
                # layout writes), read back from the page cache.
                copies.append(timed(["cp", "-r", str(out), str(outputs / f"copy-{i}")]))
                report("fresh", i, "cp -r", copies[-1])
    # Rebuilds go over the last fresh build. One untimed build first fills
    # dafu's second folder, so that every timed rebuild overwrites a complete
    # earlier build, as a real one does.
    last = {tool.name: outputs / f"{tool.name}-fresh-{runs - 1}" for tool in tools}
    for tool in tools:
        timed(tool.command(last[tool.name]))
    for i in range(runs):
        for tool in tools:
            samples[tool.name]["rebuild"].append(timed(tool.command(last[tool.name])))
            report("rebuild", i, tool.name, samples[tool.name]["rebuild"][-1])
    # Then the same, each run after a sentence is added to one reply; the
    # corpora are put back as they were afterwards. Tools that share a corpus
    # share the edit.
    files = {tool.site: edited(tool.site) for tool in tools}
    originals = {site: file.read_bytes() for site, file in files.items()}
    try:
        for i in range(runs):
            for tool in tools:
                added = f"\n第{i + 1}次补充：本段由基准测试加入。\n".encode()
                files[tool.site].write_bytes(originals[tool.site] + added)
                samples[tool.name]["edit"].append(timed(tool.command(last[tool.name])))
                report("edit", i, tool.name, samples[tool.name]["edit"][-1])
    finally:
        for site, file in files.items():
            file.write_bytes(originals[site])
    results = {name: {case: summary(s) for case, s in cases.items()} for name, cases in samples.items()}
    if copies:
        results["copy"] = {"fresh": summary(copies)}
    if index_copies:
        results["index_copy"] = {"fresh": summary(index_copies)}
    if own_copies:
        results["own_copy"] = {"fresh": summary(own_copies)}
        results["own_copy"]["fresh"].update(
            {key: own_copies[-1][key] for key in ("files", "bytes")})
    return results


def output_size(out):
    """The files of a build's output and the sum of their sizes."""
    files = size = 0
    for folder, _, names in os.walk(out):
        files += len(names)
        size += sum(os.path.getsize(os.path.join(folder, name)) for name in names)
    return {"files": files, "bytes": size}


def copy_index(out, to):
    """Copies the index (search/ but the search page) of the build in `out` into
    a new folder `to`, the gram and position shards in one `cp` and the rest in
    another at the same time; the wall time until both are done."""
    search = out / "search"
    first = [search / "g", search / "p"]
    rest = [p for p in search.iterdir() if p not in first and p.name != "index.html"]
    to.mkdir(parents=True)
    os.sync()
    start = time.perf_counter()
    procs = [subprocess.Popen(["cp", "-r", *map(str, part), str(to)]) for part in (first, rest)]
    if any(proc.wait() != 0 for proc in procs):
        sys.exit(f"bench: copying {search} failed")
    return {"wall": time.perf_counter() - start, "cpu": 0, "user": 0, "sys": 0, "rss_mib": 0,
            "stages": {}, "peaks_mib": {}}


def timed(command):
    """Runs one build; its wall time, CPU time, peak RSS and stage timings."""
    os.sync()
    env = dict(os.environ, DAFU_TIMINGS="1")
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({proc.returncode}):\n{stderr}")
    stages, peaks = {}, {}
    for line in stderr.splitlines():
        if m := TIMING.match(line.strip()):
            stages[m.group(1)] = stages.get(m.group(1), 0) + float(m.group(2)) / 1e3
            if m.group(3):
                peaks[m.group(1)] = int(m.group(3))
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "stages": stages,
        "peaks_mib": peaks,
        # The search index's share of this build (its stage, of the wall time).
        "search_share": stages.get("search", 0) / wall,
    }


def summary(samples):
    med = lambda key: statistics.median(s[key] for s in samples)  # noqa: E731
    stage_names = list(dict.fromkeys(k for s in samples for k in s["stages"]))
    return {
        "runs": len(samples),
        "wall": med("wall"),
        "wall_min": min(s["wall"] for s in samples),
        "wall_max": max(s["wall"] for s in samples),
        "cpu": med("cpu"),
        "user": med("user"),
        "sys": med("sys"),
        "rss_mib": med("rss_mib"),
        "search_share": statistics.median(s.get("search_share", 0) for s in samples),
        "stages": {k: statistics.median(s["stages"].get(k, 0) for s in samples) for k in stage_names},
        "peaks_mib": {k: statistics.median(s["peaks_mib"].get(k, 0) for s in samples)
                      for k in stage_names if any(k in s["peaks_mib"] for s in samples)},
    }


def report(case, i, name, s):
    stages = " ".join(f"{k}={v:.2f}" for k, v in s["stages"].items())
    print(f"  {case:7} #{i + 1} {name:8} wall {s['wall']:6.2f} s  cpu {s['cpu']:6.2f} s  rss {s['rss_mib']:6.0f} MiB  {stages}", flush=True)


def print_size(n, result):
    for case in CASES:
        d = result["dafu"][case]
        stages = ", ".join(f"{k} {v:.2f}" for k, v in d["stages"].items())
        line = (f"  median {case}: dafu {d['wall']:.2f} s wall, {d['cpu']:.2f} s cpu, {d['rss_mib']:.0f} MiB, "
                f"search index {d['search_share']:.1%} of it")
        if "hugo" in result:
            h = result["hugo"][case]
            line += f"; hugo {h['wall']:.2f} s, {h['cpu']:.2f} s cpu, {h['rss_mib']:.0f} MiB; dafu/hugo wall {d['wall'] / h['wall']:.3f}"
        print(line + f"\n    dafu stages (s): {stages}", flush=True)
        for line in baseline_lines(result, case):
            print(f"    {line}", flush=True)
    if "copy" in result:
        print(f"  {floor_line(result)}", flush=True)
    if "index_copy" in result:
        print(f"  {index_floor_line(result)}", flush=True)
    if "own_copy" in result:
        print(f"  {own_copy_line(result)}", flush=True)


def own_copy_line(result):
    """dafu's fresh build against copying its own output (issue #22: at most 1.25)."""
    c, dafu = result["own_copy"]["fresh"], result["dafu"]["fresh"]["wall"]
    return (f"own copy: cp -r of dafu's output ({c['files']:,} files, {c['bytes'] / 1e6:.1f} MB) "
            f"{c['wall']:.2f} s; dafu's fresh build is {dafu / c['wall']:.2f} times that")


def baseline_names(result):
    """The baselines measured in `result`, in the order given."""
    return [name for name in result if name not in ("dafu", "hugo", "copy", "index_copy", "own_copy", OWN_ON_BASELINE_CORPUS)]


def baseline_lines(result, case):
    """This dafu against each baseline, on the corpus they both built."""
    own = result.get(OWN_ON_BASELINE_CORPUS, result["dafu"])[case]
    lines = []
    if OWN_ON_BASELINE_CORPUS in result:
        lines.append(f"dafu on the baselines' corpus: {own['wall']:.2f} s wall, {own['cpu']:.2f} s cpu")
    for name in baseline_names(result):
        b = result[name][case]
        stages = ", ".join(f"{k} {v:.2f}" for k, v in b["stages"].items())
        lines.append(f"{name}: {b['wall']:.2f} s wall, {b['cpu']:.2f} s cpu, {b['rss_mib']:.0f} MiB; "
                     f"dafu/{name} wall {own['wall'] / b['wall']:.3f}, cpu {own['cpu'] / b['cpu']:.3f}; stages (s): {stages}")
    return lines


def floor_line(result):
    """The fresh-build floor: copying Hugo's output, against Hugo's build."""
    copy, hugo = result["copy"]["fresh"]["wall"], result["hugo"]["fresh"]["wall"]
    return (f"floor: cp -r of Hugo's output into a new folder {copy:.2f} s, "
            f"{copy / hugo:.3f} of Hugo's fresh build")


def index_floor_line(result):
    """The search index's floor: copying its files, against dafu's build."""
    copy, dafu = result["index_copy"]["fresh"]["wall"], result["dafu"]["fresh"]["wall"]
    return (f"index floor: copying dafu's search index (two cp at once) into a new folder {copy:.2f} s, "
            f"{copy / dafu:.3f} of dafu's fresh build")


def table(results):
    """The figures as a Markdown table, for BENCHMARKS.md."""
    hugo = any("hugo" in r for r in results.values())
    head = "| replies | case | dafu wall | dafu CPU | dafu peak RSS | search index share |"
    rule = "| ---: | --- | ---: | ---: | ---: | ---: |"
    if hugo:
        head += " Hugo wall | Hugo CPU | Hugo peak RSS | wall dafu/Hugo |"
        rule += " ---: | ---: | ---: | ---: |"
    lines = [head, rule]
    for n, r in results.items():
        for case in CASES:
            d = r["dafu"][case]
            row = (f"| {n:,} | {case} | {d['wall']:.2f} s | {d['cpu']:.2f} s | {d['rss_mib']:.0f} MiB |"
                   f" {d['search_share']:.1%} |")
            if "hugo" in r:
                h = r["hugo"][case]
                row += f" {h['wall']:.2f} s | {h['cpu']:.2f} s | {h['rss_mib']:.0f} MiB | {d['wall'] / h['wall']:.3f} |"
            lines.append(row)
    for n, r in results.items():
        names = baseline_names(r)
        if not names:
            continue
        own = OWN_ON_BASELINE_CORPUS if OWN_ON_BASELINE_CORPUS in r else "dafu"
        lines += ["", f"{n:,} replies, against the baselines"
                  + (" (all on the baselines' corpus)" if own != "dafu" else "") + ":", "",
                  "| case | dafu wall | " + " | ".join(f"{b} wall | dafu/{b}" for b in names) + " |",
                  "| --- | ---: |" + " ---: | ---: |" * len(names)]
        for case in CASES:
            d = r[own][case]["wall"]
            lines.append(f"| {case} | {d:.2f} s | "
                         + " | ".join(f"{r[b][case]['wall']:.2f} s | {d / r[b][case]['wall']:.3f}" for b in names) + " |")
    lines += [f"\n{n:,} replies, {floor_line(r)}" for n, r in results.items() if "copy" in r]
    lines += [f"\n{n:,} replies, {index_floor_line(r)}" for n, r in results.items() if "index_copy" in r]
    lines += [f"\n{n:,} replies, {own_copy_line(r)}" for n, r in results.items() if "own_copy" in r]
    stage_names = list(dict.fromkeys(k for r in results.values() for c in r["dafu"].values() for k in c["stages"]))
    if stage_names:
        lines += ["", "dafu stages, median seconds:", "",
                  "| replies | case | " + " | ".join(stage_names) + " |",
                  "| ---: | --- |" + " ---: |" * len(stage_names)]
        for n, r in results.items():
            for case in CASES:
                st = r["dafu"][case]["stages"]
                lines.append(f"| {n:,} | {case} | " + " | ".join(f"{st.get(k, 0):.2f}" for k in stage_names) + " |")
        lines += ["", "dafu peak memory by the end of each stage, median MiB:", "",
                  "| replies | case | " + " | ".join(stage_names) + " |",
                  "| ---: | --- |" + " ---: |" * len(stage_names)]
        for n, r in results.items():
            for case in CASES:
                pk = r["dafu"][case]["peaks_mib"]
                lines.append(f"| {n:,} | {case} | " + " | ".join(f"{pk[k]:.0f}" if k in pk else "" for k in stage_names) + " |")
    return "\n".join(lines)


def corpus(gen, work, n, fmt, kind=""):
    """The corpus of n replies in a format, generated once and kept; `kind`
    tells apart the corpora of different generators."""
    site = work / "-".join(filter(None, (fmt, kind, str(n))))
    if site.is_dir():
        return site
    partial = site.with_name(site.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"generating {n} replies for {fmt} in {site} …", flush=True)
    run_checked([sys.executable, str(gen), "--n", str(n), "--format", fmt, "--out", str(partial)])
    partial.rename(site)
    return site


def serve(dafu, work, gen, args):
    script = HERE / "serve_latency.py"
    if not script.exists():
        print("\nserve: benches/serve_latency.py is not in this checkout yet; skipped")
        return
    site = corpus(gen, work, 10000, "dafu")
    print(f"\nserve latency on {site}:", flush=True)
    env = dict(os.environ, DAFU_BIN=str(dafu), DAFU_SITE=str(site))
    subprocess.run([sys.executable, str(script), *args], env=env, check=False)


def run_checked(command, cwd=None):
    result = subprocess.run(command, cwd=cwd)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, command))} failed ({result.returncode})")


def machine_line():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(open("/proc/meminfo").readline().split()[1])
        mem = f", {kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"machine: {os.cpu_count()} cpus, {cpu}{mem}, {platform.system()} {platform.release()}, python {platform.python_version()}"


if __name__ == "__main__":
    main()
