#!/usr/bin/env python3
"""Where the CPU went during a bench scenario (Linux /proc only).

  cpu.py snap FILE                 record total CPU time and per-process CPU time
  cpu.py diff BEFORE AFTER PID PARENT
                                   print the CPU used between two snapshots, in % of one core (key=value), split into the
                                   server (PID and its threads), postgres, the load client (wrk or pgbench: a child
                                   of PARENT that ran and was reaped between the snapshots) and everything else
                                   (other processes on the machine, e.g. a concurrent cargo build, which skews
                                   the numbers)
"""
import json
import os
import sys


def snap():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + (cpu[4] if len(cpu) > 4 else 0)
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        rest = s[s.rindex(")") + 2:].split()
        # utime + stime, and cutime + cstime (children reaped), in ticks
        procs[pid] = [comm, int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14])]
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    return {"busy": sum(cpu) - idle, "total": sum(cpu), "uptime": up, "procs": procs}


def diff(a, b, server_pid, parent_pid):
    hz = os.sysconf("SC_CLK_TCK")
    secs = b["uptime"] - a["uptime"]
    groups = {"server": 0, "postgres": 0, "client": 0}
    if parent_pid in a["procs"] and parent_pid in b["procs"]:
        groups["client"] = b["procs"][parent_pid][2] - a["procs"][parent_pid][2]
    others = {}
    for pid, (comm, t, ct) in b["procs"].items():
        used = t - a["procs"][pid][1] if pid in a["procs"] else t
        if comm.startswith("postgres") or comm.startswith("postmaster"):
            # The postmaster reaps backends that ended in between (pgbench's, psql's): count their time too.
            if pid in a["procs"] and ct > a["procs"][pid][2]:
                groups["postgres"] += ct - a["procs"][pid][2]
        if used <= 0:
            continue
        if pid == server_pid:
            groups["server"] += used
        elif comm.startswith("postgres") or comm.startswith("postmaster"):
            groups["postgres"] += used
        elif comm in ("wrk", "pgbench"):
            groups["client"] += used
        else:
            others[comm] = others.get(comm, 0) + used
    busy = b["busy"] - a["busy"]
    known = sum(groups.values())
    pct = lambda ticks: 100.0 * ticks / hz / secs if secs > 0 else 0.0
    other = max(busy - known, 0)
    top = sorted(others.items(), key=lambda kv: -kv[1])[:3]
    top_s = ",".join(f"{c}:{pct(t):.0f}%" for c, t in top if pct(t) >= 1) or "-"
    print(f"total={pct(busy):.0f} server={pct(groups['server']):.0f} postgres={pct(groups['postgres']):.0f} "
          f"client={pct(groups['client']):.0f} other={pct(other):.0f} top_other={top_s.replace(' ', '_')}")


def main():
    if sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snap(), f)
    elif sys.argv[1] == "diff":
        a = json.load(open(sys.argv[2]))
        b = json.load(open(sys.argv[3]))
        diff(a, b, sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
