// A front end's booking flow written against the client generated from staybook's OpenAPI document
// (scripts/ts-client-check.sh). It only type-checks (`tsc --strict --noEmit`) when every request, parameter and
// response it touches is typed: an untyped body would be `unknown` and the field accesses below would fail.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];
type ErrorResponse = Schemas["ErrorResponse"];
type BookingStatus = Schemas["BookingStatus"];

/** Every failed call carries the error envelope, typed: `code` is a union of the contract's codes. */
function fail(step: string, e: ErrorResponse): never {
  const fields = (e.errors ?? []).map((x) => `${x.loc.join(".")}: ${x.msg} (${x.type})`).join("; ");
  throw new Error(`${step}: ${e.code} ${e.detail} [request ${e.request_id}] ${fields}`);
}

/** Whether an error is worth retrying later (exhaustive over the codes a booking init can answer with). */
export function retryable(e: ErrorResponse): boolean {
  switch (e.code) {
    case "rate_limited":
    case "idempotency_key_in_use":
    case "service_unavailable":
    case "payment_gateway_error":
      return true;
    default:
      return false;
  }
}

export interface Trip {
  city: string;
  checkIn: string; // YYYY-MM-DD
  checkOut: string;
  guest: Schemas["GuestCreateRequest"];
}

/** search → info → init → addGuests → payments → status. Returns where to pay and the current status. */
export async function bookCheapestStay(
  baseUrl: string,
  accessToken: string,
  trip: Trip,
): Promise<{ sessionUrl: string; status: BookingStatus; amount: Schemas["Money"] }> {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${accessToken}` } });

  // 1. Search: a paged list; the query is typed (dates, sort enum, limit).
  const search = await api.GET("/hotels/search", {
    params: {
      query: { city: trip.city, check_in_date: trip.checkIn, check_out_date: trip.checkOut, sort: "price_asc", limit: 5 },
    },
  });
  if (search.error) fail("search", search.error);
  const total = Number(search.response.headers.get("X-Total-Count") ?? "0");
  const hotel: Schemas["HotelSearchResult"] | undefined = search.data[0];
  if (!hotel || total === 0) throw new Error(`no hotel in ${trip.city}`);
  const cheapest: string = hotel.min_price;

  // 2. Hotel info with a quote per room type.
  const info = await api.GET("/hotels/{hotel_id}/info", {
    params: { path: { hotel_id: hotel.id }, query: { check_in_date: trip.checkIn, check_out_date: trip.checkOut } },
  });
  if (info.error) fail("info", info.error);
  const room = info.data.rooms.find((r) => r.available === true && r.total_price !== null);
  if (!room) throw new Error(`${hotel.name}: nothing available from ${cheapest}`);

  // 3. Init: a typed body, the optional Idempotency-Key header, a 201 BookingResponse.
  const init = await api.POST("/bookings/init", {
    params: { header: { "Idempotency-Key": `init-${hotel.id}-${room.id}-${trip.checkIn}` } },
    body: {
      hotel_id: hotel.id,
      room_id: room.id,
      check_in_date: trip.checkIn,
      check_out_date: trip.checkOut,
      rooms_count: 1,
    },
  });
  if (init.error) fail(retryable(init.error) ? "init (retry later)" : "init", init.error);
  const booking: Schemas["BookingResponse"] = init.data;
  const held: BookingStatus = booking.booking_status;
  if (held !== "RESERVED") throw new Error(`unexpected status ${held}`);
  const deadline: string | null = booking.expires_at;

  // 4. Save a guest and add them: the body is a bare array of ids.
  const guest = await api.POST("/users/guests", { body: trip.guest });
  if (guest.error) fail("guest", guest.error);
  const withGuests = await api.POST("/bookings/{booking_id}/addGuests", {
    params: { path: { booking_id: booking.id } },
    body: [guest.data.id],
  });
  if (withGuests.error) fail("addGuests", withGuests.error);
  const names: string[] = withGuests.data.guests.map((g) => `${g.name} (${g.gender}, ${g.age ?? "?"})`);

  // 5. Payments: the checkout URL.
  const payment = await api.POST("/bookings/{booking_id}/payments", {
    params: { path: { booking_id: booking.id }, header: { "Idempotency-Key": `pay-${booking.id}` } },
  });
  if (payment.error) fail("payments", payment.error);
  const sessionUrl: string = payment.data.session_url;

  // 6. Status (and the detail view with its nullable payment fields).
  const status = await api.GET("/bookings/{booking_id}/status", { params: { path: { booking_id: booking.id } } });
  if (status.error) fail("status", status.error);
  const detail = await api.GET("/bookings/{booking_id}", { params: { path: { booking_id: booking.id } } });
  if (detail.error) fail("detail", detail.error);
  const refund: Schemas["RefundStatus"] | null = detail.data.refund_status;
  console.log(`booking ${booking.id} for ${names.join(", ")} until ${deadline ?? "-"}, refund ${refund ?? "none"}`);

  return { sessionUrl, status: status.data.booking_status, amount: booking.amount };
}
