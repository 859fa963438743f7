#!/usr/bin/env python3
"""Load the capacity dataset of scripts/bench.sh through the running server's API, shaped like production
(BENCH_DATASET=api, the default; scripts/bench/dataset.sql is the one-statement SQL alternative). Standard library only.

usage: load_api.py BASE MANAGER_TOKEN TOKENS --bin APP --database-url URL --jwt-secret SECRET --workdir DIR
                   [--psql PSQL] [--hotels 500] [--cities 20] [--seed 42] [--workers 16] [--topup-days 90]
                   [--bookings 3000]

Three phases, each through the API with WORKERS concurrent keep-alive connections unless said otherwise:

1. catalog: the manager (MANAGER_TOKEN) creates the hotels concurrently (the cities, contacts, photos, amenities
   and taxes of dataset.sql); as soon as a hotel exists its 5 room types are created by concurrent requests (each
   creation inserts the room's 365 nights and its default rate plan server-side), then each room's prices,
   surges and closures are set with a handful of PATCH /admin/inventory/rooms/{id} ranges (the nights up to
   today+274 for now, see 2), and the hotel is activated;
2. window: the inventory window is advanced day by day as the daily job does it: psql deletes the bench hotels'
   nights dated after today+274 (dead tuples stay: autovacuum is off on the reference machine), then
   `APP topup --as-of D` runs once per day for D = today-(TOPUP_DAYS-1) .. today (each run inserts the missing
   nights of every room, then runs the application's table maintenance); the manager then prices the nights the
   top-ups opened with the same PATCH plan;
3. bookings: guests (the tokens of TOKENS, one access token a line) sell out the Suites' sold-out ranges with
   group bookings they pay, then make BOOKINGS random bookings (random hotel, room type and stay, never
   exhausting a night: at most a quarter of a room's units per night, closed and sold-out nights avoided), pay a
   share of them through the simulated gateway, cancel a share of the paid ones and of the holds, and leave the
   rest as holds that expire later (some with guests added, some with an abandoned checkout).

It never runs ANALYZE or VACUUM itself: statistics are the application's job (its maintenance after each top-up
and its periodic job). 409 answers are tolerated and counted; any other unexpected status, 5xx included, stops
the load with exit status 1. Progress goes to stderr; the last stdout line is machine-readable:

  LOAD_RESULT hotels=… rooms=… nights=… nights_future=… bookings=… group=… paid=… cancelled_paid=…
              cancelled_holds=… holds_left=… rejected=… requests=… t_catalog=… t_window=… t_bookings=… t_total=…

The shape, against dataset.sql (the API has no day-of-week patch, so weekly patterns become date ranges):
  * price level per hotel 60..250 × the type factor ±10 %, 5..20 units, capacities, photos, amenities: the same;
  * dataset.sql's Friday/Saturday +15 % price override and Friday min_stay 2 (about 29 % of nights priced up,
    14 % of arrivals restricted): two high seasons per hotel of ~100 nights in all, priced +15 % with min_stay 2;
  * surge 1.10..1.50 on 15 % of nights: three or so ranges per room of 7..28 nights;
  * Suites: 10 % of nights closed (ranges of 6..18 nights), 5 % sold out — here by paid group bookings
    (book_count = total_count, as in dataset.sql, but with real bookings behind them).
"""
import argparse
import datetime as dt
import http.client
import itertools
import json
import os
import queue
import random
import re
import subprocess
import sys
import threading
import time
import traceback
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
from api import conn_for  # noqa: E402  (scripts/bench/api.py)

WINDOW = 365  # nights per room: today .. today+364
TYPES = (  # type, price factor, capacity, amenities (dataset.sql)
    ("Standard", Decimal("1.0"), 2, ["tv"]),
    ("Double", Decimal("1.3"), 2, ["tv", "minibar"]),
    ("Deluxe", Decimal("1.8"), 3, ["tv", "minibar", "view"]),
    ("Family", Decimal("2.2"), 4, ["tv", "kitchenette"]),
    ("Suite", Decimal("3.0"), 4, ["tv", "minibar", "view", "bathtub"]),
)
HOTEL_AMENITIES = ["wifi", "parking", "pool", "gym", "spa", "breakfast"]
TAXES = [
    {"name": "VAT", "kind": "PERCENT", "value": "10", "included": True},
    {"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "2", "included": False},
]
CENT = Decimal("0.01")

# Task priorities of the catalog phase: finish the hotels already started before starting new ones.
PRIO_ACTIVATE, PRIO_PATCH, PRIO_ROOM, PRIO_HOTEL = 0, 1, 2, 3


class LoadError(Exception):
    pass


def log(msg):
    print(f"[load_api {dt.datetime.now(dt.timezone.utc):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def money(x):
    return str(Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------------
class Api:
    """One keep-alive connection per thread; counts requests and statuses."""

    def __init__(self, base):
        self.base = base
        self.local = threading.local()
        self.lock = threading.Lock()
        self.requests = 0
        self.statuses = {}

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = conn_for(self.base, timeout=120)
        return c

    def call(self, method, path, body=None, token=None, parse=True):
        """(status, parsed JSON body or None); the body is parsed only when `parse` or on an error status."""
        data = None
        headers = {}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=data, headers=headers)
                r = c.getresponse()
                raw = r.read()
                break
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest, BrokenPipeError,
                    ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once.
                c.close()
                self.local.conn = None
                if attempt:
                    raise
        with self.lock:
            self.requests += 1
            self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
        if not raw or not (parse or r.status >= 300):
            return r.status, None
        try:
            return r.status, json.loads(raw)
        except ValueError:
            return r.status, raw.decode(errors="replace")[:500]


def expect(what, resp, ok, tolerate=(409,)):
    """True for an `ok` status, False for a tolerated one (409: sold out, restricted); raises otherwise."""
    status, body = resp
    if status in ok:
        return True
    if status in tolerate:
        return False
    raise LoadError(f"{what}: unexpected HTTP {status}: {body}")


# ---------------------------------------------------------------------------------------------------------------
# A small task runner: N threads, tasks may submit follow-up tasks, lower priority numbers run first.
# ---------------------------------------------------------------------------------------------------------------
class Runner:
    def __init__(self, workers):
        self.workers = workers
        self.q = queue.PriorityQueue()
        self.seq = itertools.count()
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.pending = 0
        self.error = None

    def submit(self, prio, fn, *args):
        with self.lock:
            self.pending += 1
        self.q.put((prio, next(self.seq), fn, args))

    def _work(self):
        while True:
            _, _, fn, args = self.q.get()
            if fn is None:
                return
            try:
                if self.error is None:
                    fn(*args)
            except Exception as e:  # noqa: BLE001 (reported by run())
                with self.lock:
                    if self.error is None:
                        self.error = (e, traceback.format_exc())
            finally:
                with self.lock:
                    self.pending -= 1
                    if self.pending == 0:
                        self.idle.notify_all()

    def run(self):
        threads = [threading.Thread(target=self._work, daemon=True) for _ in range(self.workers)]
        for t in threads:
            t.start()
        with self.lock:
            while self.pending > 0:
                self.idle.wait()
        for _ in threads:
            self.q.put((float("inf"), next(self.seq), None, ()))
        for t in threads:
            t.join()
        if self.error:
            e, tb = self.error
            if not isinstance(e, LoadError):
                sys.stderr.write(tb)
            raise e


class Ticker:
    """Prints `fn()` every `every` seconds while a phase runs."""

    def __init__(self, fn, every=10):
        self.fn, self.every, self.stop = fn, every, threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.wait(self.every):
            log(self.fn())

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()


# ---------------------------------------------------------------------------------------------------------------
# The plan: every value drawn up front from a per-hotel random stream (reproducible, independent of timing).
# Ranges are (first, last) day offsets from today, inclusive.
# ---------------------------------------------------------------------------------------------------------------
def pick_ranges(rng, lengths, taken, lo=0, hi=WINDOW - 1):
    """Disjoint ranges of the given lengths in [lo, hi], a day apart from each other and from `taken`."""
    out = []
    for n in lengths:
        for _ in range(500):
            s = rng.randint(lo, hi - n + 1)
            e = s + n - 1
            if all(e + 1 < a or s > b + 1 for a, b in taken + out):
                out.append((s, e))
                break
    return sorted(out)


def lengths_until(rng, lo, hi, total):
    """Random lengths of lo..hi nights (the last one up to lo-1 longer) adding up to `total`."""
    out = []
    left = total
    while left > 0:
        n = min(rng.randint(lo, hi), left)
        if left - n < lo:
            n = left
        out.append(n)
        left -= n
    return out


class Room:
    def __init__(self, hotel, kind, factor, capacity, amenities, rng):
        self.hotel = hotel
        self.kind = kind
        self.capacity = capacity
        self.amenities = amenities
        self.base = Decimal(repr(hotel.level * float(factor) * (0.9 + rng.random() * 0.2))).quantize(
            CENT, rounding=ROUND_HALF_UP)
        self.total = 5 + int(rng.random() * 16)
        self.id = None
        season_price = money(self.base * Decimal("1.15"))
        # (first, last, body) of every PATCH, before clipping to a phase.
        self.ops = [(s, e, {"price": season_price, "min_stay": 2}) for s, e in hotel.seasons]
        for s, e in pick_ranges(rng, lengths_until(rng, 7, 28, 55), []):
            self.ops.append((s, e, {"surge_factor": f"{1.1 + int(rng.random() * 5) / 10:.2f}"}))
        self.closed = []
        self.sold_out = []
        if kind == "Suite":
            self.sold_out = pick_ranges(rng, lengths_until(rng, 5, 12, 18), [])
            self.closed = pick_ranges(rng, lengths_until(rng, 6, 18, 36), self.sold_out)
            self.ops += [(s, e, {"closed": True}) for s, e in self.closed]
        self.blocked = set()  # nights random bookings avoid (closed or sold out)
        for s, e in self.closed + self.sold_out:
            self.blocked.update(range(s, e + 1))
        self.min_stay2 = set()
        for s, e in hotel.seasons:
            self.min_stay2.update(range(s, e + 1))

    def body(self):
        return {"type": self.kind, "base_price": str(self.base),
                "photos": [f"https://img.example.com/rooms/{self.hotel.id}/{self.kind.lower()}.jpg"],
                "amenities": self.amenities, "total_count": self.total, "capacity": self.capacity}

    def ops_in(self, lo, hi):
        """The PATCH ranges clipped to [lo, hi]."""
        return [(max(s, lo), min(e, hi), b) for s, e, b in self.ops if e >= lo and s <= hi]


class Hotel:
    def __init__(self, g, cities, seed):
        rng = random.Random(f"{seed}/{g}")
        self.g = g
        self.id = None
        self.level = 60 + int(rng.random() * 191)
        # Two high seasons of ~100 nights in all (dataset.sql: Friday and Saturday nights, 2/7 of the year).
        self.seasons = pick_ranges(rng, [rng.randint(55, 75), rng.randint(30, 45)], [])
        self.rooms = [Room(self, *t, rng) for t in TYPES]
        self.pending = 0
        self.city = ("city", "City", "CITY")[g % 3] + f"{1 + (g - 1) % cities:02d}"

    def body(self):
        g = self.g
        return {"name": f"Bench Hotel {g}", "city": self.city,
                "photos": [f"https://img.example.com/hotels/{g}/front.jpg",
                           f"https://img.example.com/hotels/{g}/lobby.jpg"],
                "amenities": HOTEL_AMENITIES[:1 + g % 6],
                "contact_info": {"phone": f"+1-555-{g:04d}", "email": f"hotel{g}@bench.example.com",
                                 "address": f"{g} Bench Street"},
                "taxes": TAXES}


# ---------------------------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------------------------
class Loader:
    def __init__(self, a):
        self.a = a
        self.api = Api(a.base)
        self.today = dt.datetime.now(dt.timezone.utc).date()
        self.cut = a.window_cut  # nights after today+cut are deleted and re-added by the top-ups
        self.hotels = [Hotel(g, a.cities, a.seed) for g in range(1, a.hotels + 1)]
        self.lock = threading.Lock()
        self.n = {k: 0 for k in ("hotels", "rooms", "patches", "active", "topups", "inserted", "bookings",
                                 "group", "paid", "cancelled_paid", "cancelled_holds", "holds_left", "rejected")}
        self.rejected = {}
        self.times = {}

    def day(self, off):
        return (self.today + dt.timedelta(days=off)).isoformat()

    def bump(self, key, by=1):
        with self.lock:
            self.n[key] += by

    def patch(self, room, s, e, body):
        path = f"/admin/inventory/rooms/{room.id}?start_date={self.day(s)}&end_date={self.day(e)}"
        expect(f"PATCH inventory of room {room.id} {self.day(s)}..{self.day(e)}",
               self.api.call("PATCH", path, body, self.a.manager_token, parse=False), (200,), ())
        self.bump("patches")

    # -- 1. catalog ------------------------------------------------------------------------------------------
    def catalog(self):
        a, api, tok = self.a, self.api, self.a.manager_token
        runner = Runner(a.workers)

        def done_one(h):
            with self.lock:
                h.pending -= 1
                ready = h.pending == 0
            if ready:
                runner.submit(PRIO_ACTIVATE, activate, h)

        def create_hotel(h):
            b = api.call("POST", "/admin/hotels", h.body(), tok)
            expect(f"create hotel {h.g}", b, (201,), ())
            h.id = b[1]["id"]
            self.bump("hotels")
            with self.lock:
                h.pending = len(h.rooms)
            for r in h.rooms:
                runner.submit(PRIO_ROOM, create_room, r)

        def create_room(r):
            b = api.call("POST", f"/admin/hotels/{r.hotel.id}/rooms", r.body(), tok)
            expect(f"create room {r.kind} of hotel {r.hotel.id}", b, (201,), ())
            r.id = b[1]["id"]
            self.bump("rooms")
            ops = r.ops_in(0, self.cut)
            with self.lock:
                r.hotel.pending += len(ops)
            for s, e, body in ops:
                runner.submit(PRIO_PATCH, patch, r, s, e, body)
            done_one(r.hotel)

        def patch(r, s, e, body):
            self.patch(r, s, e, body)
            done_one(r.hotel)

        def activate(h):
            expect(f"activate hotel {h.id}", api.call("PATCH", f"/admin/hotels/{h.id}/activate", None, tok,
                                                      parse=False), (200,), ())
            self.bump("active")

        for h in self.hotels:
            runner.submit(PRIO_HOTEL, create_hotel, h)
        n_rooms = sum(len(h.rooms) for h in self.hotels)
        n_patches = sum(len(r.ops_in(0, self.cut)) for h in self.hotels for r in h.rooms)
        log(f"1/3 catalog: {len(self.hotels)} hotels, {n_rooms} room types (each creating {WINDOW} nights), "
            f"{n_patches} inventory PATCH ranges on nights ..today+{self.cut}, activation; {a.workers} connections")
        with Ticker(lambda: f"    {self.n['hotels']} hotels, {self.n['rooms']} rooms, {self.n['patches']} patches, "
                            f"{self.n['active']} active; {api.requests} requests"):
            runner.run()

    # -- 2. window -------------------------------------------------------------------------------------------
    def psql(self, sql):
        r = subprocess.run([self.a.psql, self.a.database_url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                            "-c", sql], capture_output=True, text=True)
        if r.returncode != 0:
            raise LoadError(f"psql failed: {r.stderr.strip()}")
        return r.stdout.strip()

    def window(self):
        a = self.a
        first = self.today - dt.timedelta(days=a.topup_days - 1)
        log(f"2/3 window: deleting the bench hotels' nights after today+{self.cut} ({self.day(self.cut)}), then "
            f"`{os.path.basename(a.bin)} topup --as-of D` for D = {first} .. {self.today} ({a.topup_days} runs)")
        t0 = time.monotonic()
        deleted = self.psql(
            "WITH d AS (DELETE FROM inventory i USING hotel h WHERE h.id = i.hotel_id AND h.name LIKE 'Bench Hotel %' "
            f"AND i.date > DATE '{self.today}' + {self.cut} RETURNING 1) SELECT count(*) FROM d")
        log(f"    deleted {deleted} nights in {time.monotonic() - t0:.1f}s")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
               "DATABASE_URL": a.database_url, "JWT_SECRET": a.jwt_secret, "RUST_LOG": "warn"}
        t1 = time.monotonic()
        for k in range(a.topup_days):
            d = first + dt.timedelta(days=k)
            r = subprocess.run([a.bin, "topup", "--as-of", d.isoformat()], cwd=a.workdir, env=env,
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise LoadError(f"topup --as-of {d} failed (exit {r.returncode}): {(r.stderr + r.stdout).strip()}")
            m = re.search(r"inserted (\d+)", r.stdout)
            inserted = int(m.group(1)) if m else 0
            self.bump("topups")
            self.bump("inserted", inserted)
            if k == 0 or (k + 1) % 10 == 0 or k + 1 == a.topup_days:
                log(f"    topup --as-of {d}: {inserted} nights inserted ({k + 1}/{a.topup_days}, "
                    f"{time.monotonic() - t1:.0f}s)")
        self.times["topups"] = time.monotonic() - t1
        # The manager prices the nights the top-ups opened, as for the others.
        t2 = time.monotonic()
        runner = Runner(a.workers)
        ops = [(r, s, e, b) for h in self.hotels for r in h.rooms for s, e, b in r.ops_in(self.cut + 1, WINDOW - 1)]
        before = self.n["patches"]
        for op in ops:
            runner.submit(0, self.patch, *op)
        runner.run()
        log(f"    {self.n['patches'] - before} PATCH ranges on the new nights in {time.monotonic() - t2:.1f}s")

    # -- 3. bookings -----------------------------------------------------------------------------------------
    def bookings(self):
        a, api = self.a, self.api
        tokens = [t for t in open(a.tokens).read().split() if t]
        if not tokens:
            raise LoadError(f"{a.tokens} has no guest tokens")
        rng = random.Random(f"{a.seed}/bookings")
        guest_ids = {}

        def saved_guest(i, tok):
            b = api.call("POST", "/users/guests", {"name": f"Bench Guest {i}", "gender": ("MALE", "FEMALE")[i % 2],
                                                   "age": 20 + i % 50}, tok)
            expect("create a saved guest", b, (201,), ())
            with self.lock:
                guest_ids[tok] = b[1]["id"]

        runner = Runner(a.workers)
        for i, tok in enumerate(tokens):
            runner.submit(0, saved_guest, i, tok)
        runner.run()

        def pay(bid, tok, what):
            expect(f"{what}: addGuests", api.call("POST", f"/bookings/{bid}/addGuests", [guest_ids[tok]], tok,
                                                  parse=False), (200,), ())
            b = api.call("POST", f"/bookings/{bid}/payments", None, tok)
            expect(f"{what}: payments", b, (200,), ())
            session = b[1]["session_url"].rsplit("/", 1)[1]
            expect(f"{what}: simulated payment", api.call("POST", f"/payments/simulated/{session}/complete", None,
                                                          None, parse=False), (303,), ())

        def init(tok, room, s, e, rooms_count, what):
            b = api.call("POST", "/bookings/init", {
                "hotel_id": room.hotel.id, "room_id": room.id, "check_in_date": self.day(s),
                "check_out_date": self.day(e + 1), "rooms_count": rooms_count}, tok)
            if not expect(what, b, (201,)):
                code = b[1].get("code") if isinstance(b[1], dict) else "?"
                with self.lock:
                    self.n["rejected"] += 1
                    self.rejected[code] = self.rejected.get(code, 0) + 1
                return None
            self.bump("bookings")
            return b[1]["id"]

        # Sold-out Suite ranges: group bookings of up to 10 rooms until no unit is left, paid.
        def sell_out(room, s, e):
            left = room.total
            while left > 0:
                n = min(10, left)
                tok = rng_tokens.choice(tokens)
                bid = init(tok, room, s, e, n, f"group booking of room {room.id}")
                if bid is None:
                    return
                pay(bid, tok, f"group booking {bid}")
                self.bump("group")
                self.bump("paid")
                left -= n

        rng_tokens = random.Random(f"{a.seed}/tokens")  # only read under the GIL by sell_out: order is irrelevant
        groups = [(r, s, e) for h in self.hotels for r in h.rooms for s, e in r.sold_out]
        runner = Runner(a.workers)
        for g in groups:
            runner.submit(0, sell_out, *g)
        log(f"3/3 bookings: {len(tokens)} saved guests created; selling out {len(groups)} Suite ranges with paid "
            f"group bookings")
        with Ticker(lambda: f"    {self.n['group']} group bookings paid; {api.requests} requests"):
            runner.run()

        # Random bookings, planned up front: never more than a quarter of a room's units on any night from here.
        used = {}
        plans = []
        rooms = [r for h in self.hotels for r in h.rooms]
        tries = 0
        while len(plans) < a.bookings and tries < a.bookings * 50:
            tries += 1
            room = rng.choice(rooms)
            lead = min(int(rng.expovariate(1 / 45)), WINDOW - 2)
            nights = rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 7, 10))
            if lead in room.min_stay2:
                nights = max(nights, 2)
            nights = min(nights, WINDOW - lead)
            rc = 2 if rng.random() < 0.1 else 1
            cap = max(1, room.total // 4)
            span = range(lead, lead + nights)
            if any(d in room.blocked or used.get((room.id, d), 0) + rc > cap for d in span):
                continue
            for d in span:
                used[(room.id, d)] = used.get((room.id, d), 0) + rc
            x = rng.random()
            if x < a.pay_share:
                outcome = "pay_cancel" if lead >= 1 and rng.random() < a.cancel_paid_share else "pay"
            elif rng.random() < a.cancel_hold_share:
                outcome = "cancel_hold"
            else:
                outcome = rng.choice(("hold", "hold_guests", "hold_checkout"))
            plans.append((rng.choice(tokens), room, lead, lead + nights - 1, rc, outcome))

        def book(tok, room, s, e, rc, outcome):
            bid = init(tok, room, s, e, rc, f"init on room {room.id}")
            if bid is None:
                return
            what = f"booking {bid}"
            if outcome in ("pay", "pay_cancel"):
                pay(bid, tok, what)
                self.bump("paid")
                if outcome == "pay_cancel":
                    expect(f"{what}: cancel", api.call("POST", f"/bookings/{bid}/cancel", None, tok, parse=False),
                           (204,), ())
                    self.bump("cancelled_paid")
            elif outcome == "cancel_hold":
                expect(f"{what}: cancel", api.call("POST", f"/bookings/{bid}/cancel", None, tok, parse=False),
                       (204,), ())
                self.bump("cancelled_holds")
            else:
                if outcome in ("hold_guests", "hold_checkout"):
                    expect(f"{what}: addGuests", api.call("POST", f"/bookings/{bid}/addGuests", [guest_ids[tok]],
                                                          tok, parse=False), (200,), ())
                if outcome == "hold_checkout":
                    expect(f"{what}: payments", api.call("POST", f"/bookings/{bid}/payments", None, tok,
                                                         parse=False), (200,), ())
                self.bump("holds_left")

        runner = Runner(a.workers)
        for p in plans:
            runner.submit(0, book, *p)
        log(f"    {len(plans)} random bookings: pay {a.pay_share:.0%} (then cancel {a.cancel_paid_share:.0%} of "
            f"those), cancel {a.cancel_hold_share:.0%} of the other holds, leave the rest to expire")
        with Ticker(lambda: f"    {self.n['bookings'] - self.n['group']} random bookings made, {self.n['paid']} paid "
                            f"in all, {self.n['cancelled_paid'] + self.n['cancelled_holds']} cancelled; "
                            f"{api.requests} requests"):
            runner.run()

    def run(self):
        t_all = time.monotonic()
        for name in ("catalog", "window", "bookings"):
            t0 = time.monotonic()
            getattr(self, name)()
            self.times[name] = time.monotonic() - t0
            log(f"    {name} done in {self.times[name]:.1f}s ({self.api.requests} requests so far)")
        self.times["total"] = time.monotonic() - t_all
        bench = "h.name LIKE 'Bench Hotel %'"
        counts = self.psql(
            f"SELECT (SELECT count(*) FROM hotel h WHERE {bench} AND active) || ' ' || "
            f"(SELECT count(*) FROM room r JOIN hotel h ON h.id = r.hotel_id WHERE {bench}) || ' ' || "
            f"(SELECT count(*) FROM inventory i JOIN hotel h ON h.id = i.hotel_id WHERE {bench}) || ' ' || "
            f"(SELECT count(*) FROM inventory i JOIN hotel h ON h.id = i.hotel_id WHERE {bench} "
            f"AND i.date >= DATE '{self.today}') || ' ' || "
            "coalesce((SELECT string_agg(s || ':' || n, ',' ORDER BY s) FROM "
            "(SELECT booking_status::text AS s, count(*) AS n FROM booking GROUP BY 1) b), '-')").split()
        hotels, rooms, nights, future, by_status = counts
        n, t = self.n, self.times
        rejected = ",".join(f"{k}:{v}" for k, v in sorted(self.rejected.items())) or "-"
        statuses = ",".join(f"{k}:{v}" for k, v in sorted(self.api.statuses.items()))
        log(f"done: {hotels} active hotels, {rooms} rooms, {nights} nights ({future} from today on); "
            f"{n['bookings']} bookings made ({n['group']} group), {n['paid']} paid, "
            f"{n['cancelled_paid']} paid then cancelled, {n['cancelled_holds']} holds cancelled, {n['holds_left']} "
            f"holds left to expire, {n['rejected']} inits refused ({rejected}); bookings by status {by_status}; "
            f"{self.api.requests} requests ({statuses}); catalog {t['catalog']:.0f}s, window {t['window']:.0f}s "
            f"(top-ups {t['topups']:.0f}s), bookings {t['bookings']:.0f}s, total {t['total']:.0f}s")
        print(f"LOAD_RESULT hotels={hotels} rooms={rooms} nights={nights} nights_future={future} "
              f"bookings={n['bookings']} group={n['group']} paid={n['paid']} cancelled_paid={n['cancelled_paid']} "
              f"cancelled_holds={n['cancelled_holds']} holds_left={n['holds_left']} rejected={n['rejected']} "
              f"by_status={by_status} requests={self.api.requests} patches={n['patches']} topups={n['topups']} "
              f"topup_nights={n['inserted']} t_catalog={t['catalog']:.0f} t_window={t['window']:.0f} "
              f"t_topups={t['topups']:.0f} t_bookings={t['bookings']:.0f} t_total={t['total']:.0f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("base")
    p.add_argument("manager_token")
    p.add_argument("tokens", help="guest access tokens, one a line (api.py guests)")
    p.add_argument("--bin", required=True, help="the app binary (for `topup --as-of`)")
    p.add_argument("--database-url", required=True, help="the bench database (psql, and the topup's DATABASE_URL)")
    p.add_argument("--jwt-secret", required=True, help="the server's JWT_SECRET (the topup's environment)")
    p.add_argument("--workdir", required=True, help="where the topup runs (no .env there)")
    p.add_argument("--psql", default="psql")
    p.add_argument("--hotels", type=int, default=500)
    p.add_argument("--cities", type=int, default=20)
    p.add_argument("--seed", default="42")
    p.add_argument("--workers", type=int, default=16, help="concurrent HTTP connections")
    p.add_argument("--topup-days", type=int, default=90, help="days the window is advanced by (1..364)")
    p.add_argument("--bookings", type=int, default=3000, help="random bookings (plus the Suites' group bookings)")
    p.add_argument("--pay-share", type=float, default=0.5)
    p.add_argument("--cancel-paid-share", type=float, default=0.2)
    p.add_argument("--cancel-hold-share", type=float, default=0.4)
    a = p.parse_args()
    if not 1 <= a.topup_days <= WINDOW - 1:
        p.error(f"--topup-days must be 1..{WINDOW - 1}")
    a.window_cut = WINDOW - 1 - a.topup_days
    try:
        Loader(a).run()
    except LoadError as e:
        log(f"ERROR: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
