// Type-level proof that the generated client is typed everywhere a front end sends or reads JSON: for every
// operation of `paths`, the JSON request body and every 2xx JSON answer must be a real type, not `unknown`/`any`
// (an untyped `serde_json::Value` schema) nor an empty object. A route added without a schema breaks this file:
// `Untyped` then names it, and the assignment below fails `tsc`.
import type { paths } from "./generated/api";

type Method = "get" | "put" | "post" | "delete" | "patch";
type IsAny<T> = 0 extends 1 & T ? true : false;
type IsUnknown<T> = IsAny<T> extends true ? true : unknown extends T ? true : false;
type IsEmptyObject<T> = T extends object
  ? string extends keyof T
    ? [T[string]] extends [never]
      ? true
      : false
    : [keyof T] extends [never]
      ? true
      : false
  : false;
type IsUntyped<T> = IsUnknown<T> extends true ? true : IsEmptyObject<T>;

type Json<C> = C extends { "application/json": infer B } ? B : never;
type RequestJson<Op> = Op extends { requestBody?: infer RB } ? (NonNullable<RB> extends { content: infer C } ? Json<C> : never) : never;
type SuccessJson<Op> = Op extends { responses: infer Rs }
  ? { [S in keyof Rs]: `${S & (string | number)}` extends `2${string}` ? (Rs[S] extends { content: infer C } ? Json<C> : never) : never }[keyof Rs]
  : never;

type Check<P extends string, M extends string, T> = [T] extends [never] ? never : IsUntyped<T> extends true ? `${M} ${P}` : never;

type UntypedIn<P extends keyof paths & string> = {
  [M in Method & keyof paths[P]]: NonNullable<paths[P][M]> extends infer Op
    ? Check<P, Uppercase<M>, RequestJson<Op>> | Check<P, Uppercase<M>, SuccessJson<Op>>
    : never;
}[Method & keyof paths[P]];

/** Operations with an untyped JSON request body or success answer: must be none. */
export type Untyped = { [P in keyof paths & string]: UntypedIn<P> }[keyof paths & string];
export const everyOperationIsTyped: [Untyped] extends [never] ? true : `untyped JSON body: ${Untyped}` = true;

// The check itself must not be vacuous: it flags the shapes an untyped schema generates.
type Flags<T> = IsUntyped<T>;
export const flagsUnknown: Flags<unknown> = true;
export const flagsEmptyRecord: Flags<Record<string, never>> = true;
export const passesTypedObject: Flags<{ id: number }> = false;
export const passesTypedList: Flags<{ id: number }[]> = false;
