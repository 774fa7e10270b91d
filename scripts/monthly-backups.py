#!/usr/bin/env python3
"""Back up a corpus's months in sequence with crmvault and with restic, month by month in alternating order.

    scripts/monthly-backups.py --bench .build/release/crmvault-bench --corpus WORK/corpus \
        --empty-vault EMPTY_VAULT --key WRITER.key --empty-repo EMPTY_RESTIC_REPO [--reps 1] [--work DIR]

Each repetition copies the empty vault (made with `crmvault-bench --vault-init`, a writer key authorized) and the
empty restic repository (`restic init`), then backs up every month directory of the corpus into them in order:
`crmvault-bench --vault-backup VAULT MONTH --key WRITER.key` (as a scheduled pull runs it) and, in the month's
directory, `restic backup --quiet --force .` (RESTIC_PASSWORD from the environment). The two alternate which goes
first from month to month. Before every timed run the file system is synced (not timed), so neither tool pays for
writing out the other's data (restic 0.14 does not fsync; crmvault fsyncs its packs, manifest and chain entry).
Wall time from the parent, CPU (user + system) and peak RSS from the kernel's accounting of the finished process.
Prints a line per month and, per repetition, the totals and their ratios: the issue's "backup, 12 months" figure.
"""
import argparse, os, shutil, subprocess, sys, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--bench", required=True)
parser.add_argument("--corpus", required=True)
parser.add_argument("--empty-vault", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--empty-repo", required=True)
parser.add_argument("--reps", type=int, default=1)
parser.add_argument("--work", default="/tmp/monthly-backups")
options = parser.parse_args()
if "RESTIC_PASSWORD" not in os.environ:
    sys.exit("monthly-backups: set RESTIC_PASSWORD to the empty repository's password")
os.makedirs(options.work, exist_ok=True)
environment = dict(os.environ, RESTIC_CACHE_DIR=os.path.join(options.work, "restic-cache"))
months = sorted(name for name in os.listdir(options.corpus) if os.path.isdir(os.path.join(options.corpus, name)))


def timed(command, cwd=None, extra=None):
    os.sync()
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=dict(environment, **(extra or {})),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        sys.exit(f"monthly-backups: {command[0]} failed: {errors.decode(errors='replace')[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


for repetition in range(options.reps):
    vault = os.path.join(options.work, f"vault{repetition}")
    repository = os.path.join(options.work, f"repo{repetition}")
    for path in (vault, repository, environment["RESTIC_CACHE_DIR"]):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(options.empty_vault, vault, symlinks=True)
    shutil.copytree(options.empty_repo, repository, symlinks=True)
    totals = {"crmvault": [0.0, 0.0], "restic": [0.0, 0.0]}
    for number, month in enumerate(months):
        directory = os.path.join(options.corpus, month)
        order = ["crmvault", "restic"] if (number + repetition) % 2 == 0 else ["restic", "crmvault"]
        figures = {}
        for tool in order:
            if tool == "crmvault":
                figures[tool] = timed([options.bench, "--vault-backup", vault, directory, "--key", options.key])
            else:
                figures[tool] = timed(["restic", "backup", "--quiet", "--force", "."], cwd=directory,
                                      extra={"RESTIC_REPOSITORY": repository})
            totals[tool][0] += figures[tool][0]
            totals[tool][1] += figures[tool][1]
        c, r = figures["crmvault"], figures["restic"]
        print(f"{repetition} {month}: crmvault {c[0]:.2f} s wall, {c[1]:.2f} s CPU, {c[2]:.0f} MiB | restic {r[0]:.2f} s "
              f"wall, {r[1]:.2f} s CPU, {r[2]:.0f} MiB | wall ratio {c[0] / r[0]:.3f} | load {os.getloadavg()[0]:.1f}",
              flush=True)
    c, r = totals["crmvault"], totals["restic"]
    print(f"{repetition} all {len(months)} months: crmvault {c[0]:.2f} s wall, {c[1]:.2f} s CPU | restic {r[0]:.2f} s "
          f"wall, {r[1]:.2f} s CPU | wall ratio {c[0] / r[0]:.3f} ({r[0] / c[0]:.2f}x faster), CPU ratio "
          f"{c[1] / r[1]:.3f}", flush=True)
    shutil.rmtree(vault, ignore_errors=True)
    shutil.rmtree(repository, ignore_errors=True)
