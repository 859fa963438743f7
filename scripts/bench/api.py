#!/usr/bin/env python3
"""API-side helpers of scripts/bench.sh (standard library only).

  api.py signup BASE EMAIL PASSWORD            create a user (201; an existing user is fine)
  api.py login BASE EMAIL PASSWORD             print an access token
  api.py guests BASE COUNT OUT                 sign up and log in COUNT guest users, write their tokens to OUT
  api.py race-room BASE MANAGER_TOKEN          create, fill and activate the race hotel; print "hotel_id room_id"
  api.py race BASE MANAGER_TOKEN TOKENS HOTEL ROOM [--rounds 10] [--clients 50] [--units 3] [--first-day 320]
                                               the oversell race; exit 1 unless every round has exactly UNITS 201s
  api.py staleness BASE OTHER MANAGER_TOKEN TOKENS [--rounds 50]
                                               the read model's staleness bound: a guest holds the last room on BASE;
                                               BASE's next search must not offer it, and OTHER (another replica) is
                                               polled until it stops offering it; then the same for the cancellation;
                                               prints STALENESS_RESULT with the lags; exit 1 if BASE ever lagged
"""
import argparse
import datetime as dt
import http.client
import json
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "bench-password-123"


def conn_for(base, timeout=30):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def call(base, method, path, body=None, token=None, conn=None):
    """One request; returns (status, parsed JSON or raw text)."""
    own = conn is None
    c = conn or conn_for(base)
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        raw = r.read()
    finally:
        if own:
            c.close()
    try:
        return r.status, json.loads(raw) if raw else None
    except ValueError:
        return r.status, raw.decode(errors="replace")


def must(status_body, *ok, what=""):
    status, body = status_body
    if status not in ok:
        sys.exit(f"bench: {what} failed: HTTP {status} {body}")
    return body


def signup(base, email, password=PASSWORD):
    s, b = call(base, "POST", "/auth/signup", {"email": email, "password": password, "name": email.split("@")[0]})
    if s == 201 or (s == 400 and isinstance(b, dict) and b.get("code") == "email_already_registered"):
        return
    sys.exit(f"bench: signup of {email} failed: HTTP {s} {b}")


def login(base, email, password=PASSWORD):
    b = must(call(base, "POST", "/auth/login", {"email": email, "password": password}), 200, what=f"login {email}")
    return b["access_token"]


def guests(base, count, out):
    def one(i):
        email = f"guest{i:04d}@bench.example.com"
        signup(base, email)
        return login(base, email)

    t0 = time.monotonic()
    # Password hashing runs at most one per core on the server: a few workers keep it busy.
    with ThreadPoolExecutor(max_workers=4) as ex:
        tokens = list(ex.map(one, range(1, count + 1)))
    with open(out, "w") as f:
        f.write("\n".join(tokens) + "\n")
    print(f"bench: {count} guest users signed up and logged in in {time.monotonic() - t0:.1f}s", file=sys.stderr)


def race_room(base, token):
    hotel = must(call(base, "POST", "/admin/hotels", {"name": "Bench Race Hotel", "city": "racecity"}, token),
                 201, what="create race hotel")
    room = must(call(base, "POST", f"/admin/hotels/{hotel['id']}/rooms",
                     {"type": "Race", "base_price": "120.00", "total_count": 3, "capacity": 2}, token),
                201, what="create race room")
    must(call(base, "PATCH", f"/admin/hotels/{hotel['id']}/activate", None, token), 200, what="activate race hotel")
    print(hotel["id"], room["id"])


def race(a):
    tokens = [t for t in open(a.tokens).read().split() if t]
    if len(tokens) < a.clients:
        sys.exit(f"bench: race needs {a.clients} guest tokens, {a.tokens} has {len(tokens)}")
    today = dt.datetime.now(dt.timezone.utc).date()
    failed = False
    print(f"race: {a.rounds} rounds x {a.clients} concurrent POST /bookings/init, room {a.room} "
          f"({a.units} units free), 3 nights per round")
    for rnd in range(a.rounds):
        cin = today + dt.timedelta(days=a.first_day + 3 * rnd)
        cout = cin + dt.timedelta(days=3)
        body = {"hotel_id": a.hotel, "room_id": a.room, "check_in_date": cin.isoformat(),
                "check_out_date": cout.isoformat()}
        # Connect every client first, then release all requests at once.
        conns = [conn_for(a.base) for _ in range(a.clients)]
        for c in conns:
            c.connect()
        barrier = threading.Barrier(a.clients)
        results = [None] * a.clients

        def client(i):
            barrier.wait()
            t0 = time.monotonic()
            try:
                results[i] = call(a.base, "POST", "/bookings/init", body, tokens[i], conn=conns[i]) + \
                    (time.monotonic() - t0,)
            except Exception as e:  # a transport error is a failed round, not a crash of the bench
                results[i] = (0, repr(e), time.monotonic() - t0)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in conns:
            c.close()
        statuses = {}
        for s, b, _ in results:
            key = str(s)
            if s == 409 and isinstance(b, dict):
                key = f"409/{b.get('code')}"
            statuses[key] = statuses.get(key, 0) + 1
        created = sum(1 for s, _, _ in results if s == 201)
        slowest = max(r[2] for r in results) * 1000
        inv = call(a.base, "GET", f"/admin/inventory/rooms/{a.room}?start_date={cin}&end_date={cin + dt.timedelta(days=2)}",
                   None, a.manager_token)
        if inv[0] != 200:
            print(f"race: round {rnd + 1}: inventory read failed: HTTP {inv[0]} {inv[1]}")
            failed = True
            reserved = "?"
        else:
            reserved = ",".join(str(n["reserved_count"]) for n in inv[1])
            if any(n["reserved_count"] != a.units or n["available_count"] != 0 for n in inv[1]) or len(inv[1]) != 3:
                failed = True
        ok = created == a.units and reserved == ",".join([str(a.units)] * 3)
        failed |= not ok
        detail = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
        print(f"RACE_ROUND round={rnd + 1} stay={cin}..{cout} created={created} reserved_count={reserved} "
              f"statuses={detail} "
              f"slowest_ms={slowest:.0f} {'OK' if ok else 'FAIL'}")
        for s, b, _ in results:
            if s not in (201, 409):
                print(f"race: round {rnd + 1}: unexpected response HTTP {s}: {b}")
    print(f"RACE_RESULT {'PASS' if not failed else 'FAIL'}")
    return 1 if failed else 0


def staleness(a):
    tokens = [t for t in open(a.tokens).read().split() if t]
    hotel = must(call(a.base, "POST", "/admin/hotels", {"name": "Bench Staleness Hotel", "city": "stalecity"},
                      a.manager_token), 201, what="create staleness hotel")
    room = must(call(a.base, "POST", f"/admin/hotels/{hotel['id']}/rooms",
                     {"type": "Last", "base_price": "99.00", "total_count": 1, "capacity": 2}, a.manager_token),
                201, what="create staleness room")
    must(call(a.base, "PATCH", f"/admin/hotels/{hotel['id']}/activate", None, a.manager_token), 200,
         what="activate staleness hotel")
    today = dt.datetime.now(dt.timezone.utc).date()
    cin, cout = today + dt.timedelta(days=200), today + dt.timedelta(days=202)
    path = f"/hotels/search?city=stalecity&check_in_date={cin}&check_out_date={cout}"
    mine, other = conn_for(a.base), conn_for(a.other)

    def offered(conn, base):
        status, body = call(base, "GET", path, conn=conn)
        if status != 200:
            sys.exit(f"bench: staleness search answered HTTP {status}: {body}")
        return any(h["id"] == hotel["id"] for h in body)

    def wait_other(want):
        t0 = time.monotonic()
        while offered(other, a.other) != want:
            if time.monotonic() - t0 > 10:
                sys.exit("bench: the other replica did not follow within 10 s")
        return (time.monotonic() - t0) * 1000

    wait_other(True)
    lags, own_stale = [], 0
    for i in range(a.rounds):
        token = tokens[i % len(tokens)]
        status, b = call(a.base, "POST", "/bookings/init",
                         {"hotel_id": hotel["id"], "room_id": room["id"], "check_in_date": cin.isoformat(),
                          "check_out_date": cout.isoformat()}, token, conn=mine)
        if status != 201:
            sys.exit(f"bench: staleness hold answered HTTP {status}: {b}")
        t_write = time.monotonic()
        own_stale += offered(mine, a.base)  # this replica must not offer it any more
        wait_other(False)
        lags.append((time.monotonic() - t_write) * 1000)
        must(call(a.base, "POST", f"/bookings/{b['id']}/cancel", None, token, conn=mine), 204, what="cancel")
        t_write = time.monotonic()
        own_stale += not offered(mine, a.base)
        wait_other(True)
        lags.append((time.monotonic() - t_write) * 1000)
    lags.sort()
    pct = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    print(f"STALENESS_RESULT changes={len(lags)} p50_ms={pct(0.5):.1f} p99_ms={pct(0.99):.1f} "
          f"max_ms={lags[-1]:.1f} own_replica_stale={own_stale}")
    return 1 if own_stale else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("signup", "login"):
        s = sub.add_parser(name)
        s.add_argument("base")
        s.add_argument("email")
        s.add_argument("password")
    s = sub.add_parser("guests")
    s.add_argument("base")
    s.add_argument("count", type=int)
    s.add_argument("out")
    s = sub.add_parser("race-room")
    s.add_argument("base")
    s.add_argument("manager_token")
    s = sub.add_parser("race")
    s.add_argument("base")
    s.add_argument("manager_token")
    s.add_argument("tokens")
    s.add_argument("hotel", type=int)
    s.add_argument("room", type=int)
    s.add_argument("--rounds", type=int, default=10)
    s.add_argument("--clients", type=int, default=50)
    s.add_argument("--units", type=int, default=3)
    s.add_argument("--first-day", type=int, default=320)
    s = sub.add_parser("staleness")
    s.add_argument("base")
    s.add_argument("other")
    s.add_argument("manager_token")
    s.add_argument("tokens")
    s.add_argument("--rounds", type=int, default=50)
    a = p.parse_args()
    if a.cmd == "signup":
        signup(a.base, a.email, a.password)
    elif a.cmd == "login":
        print(login(a.base, a.email, a.password))
    elif a.cmd == "guests":
        guests(a.base, a.count, a.out)
    elif a.cmd == "race-room":
        race_room(a.base, a.manager_token)
    elif a.cmd == "race":
        return race(a)
    elif a.cmd == "staleness":
        return staleness(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
