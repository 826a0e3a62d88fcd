import type { XCallback, XClient } from 'x11';
import type { XConnection } from '../capture/x11/connection.ts';

/** Predefined atoms (X11 protocol, never interned). */
export const XA_ATOM = 4;
export const XA_STRING = 31;
export const ANY_PROPERTY_TYPE = 0;
export const CURRENT_TIME = 0;
/** Core event mask bit: PropertyNotify on a window we own. */
export const PROPERTY_CHANGE_MASK = 0x00400000;
/** Core event type numbers. */
export const EV_PROPERTY_NOTIFY = 28;
export const EV_SELECTION_CLEAR = 29;
export const EV_SELECTION_REQUEST = 30;
export const EV_SELECTION_NOTIFY = 31;
/** PropertyNotify state: the property got a new value (0) or was deleted (1). */
export const PROPERTY_NEW_VALUE = 0;

/**
 * Properties on our window that conversions are delivered into, one per request in turn: a late
 * answer or chunk of an abandoned request then lands in a property nobody reads instead of in
 * the next transfer's data.
 */
export const TRANSFER_PROPERTIES = [
  'BROWSERPANE_SEL_0',
  'BROWSERPANE_SEL_1',
  'BROWSERPANE_SEL_2',
  'BROWSERPANE_SEL_3',
  'BROWSERPANE_SEL_4',
  'BROWSERPANE_SEL_5',
  'BROWSERPANE_SEL_6',
  'BROWSERPANE_SEL_7',
] as const;

/** The named atoms the clipboard uses. */
export const ATOM_NAMES = [
  'CLIPBOARD',
  'TARGETS',
  'TIMESTAMP',
  'INCR',
  'TEXT',
  'UTF8_STRING',
  'text/plain;charset=utf-8',
  'text/plain',
  'text/html',
  'image/png',
  ...TRANSFER_PROPERTIES,
] as const;
export type AtomName = (typeof ATOM_NAMES)[number];
export type Atoms = Readonly<Record<AtomName, number>>;

/**
 * The core requests the selection code issues, as the `x11` package exposes them (its type file
 * declares only what capture needs).
 */
export interface SelectionClient {
  AllocID(): number;
  CreateWindow(
    id: number,
    parent: number,
    x: number,
    y: number,
    width: number,
    height: number,
    borderWidth: number,
    depth: number,
    windowClass: number,
    visual: number,
    values: { eventMask?: number },
  ): void;
  DestroyWindow(id: number): void;
  InternAtom(onlyIfExists: boolean, name: string, cb: XCallback<number>): void;
  SetSelectionOwner(owner: number, selection: number, time: number): void;
  GetSelectionOwner(selection: number, cb: XCallback<number>): void;
  ConvertSelection(
    requestor: number,
    selection: number,
    target: number,
    property: number,
    time: number,
  ): void;
  ChangeProperty(
    mode: number,
    window: number,
    property: number,
    type: number,
    format: number,
    data: Buffer | number[],
  ): void;
  DeleteProperty(window: number, property: number): void;
  GetProperty(
    del: number,
    window: number,
    property: number,
    type: number,
    longOffset: number,
    longLength: number,
    cb: XCallback<{ type: number; format: number; bytesAfter: number; data: Buffer }>,
  ): void;
  SendEvent(destination: number, propagate: number, eventMask: number, event: object): void;
}

/** XFIXES selection notifications (the members the type file does not declare). */
export interface FixesSelection {
  readonly firstEvent: number;
  readonly SelectionEventMask: {
    SetSelectionOwner: number;
    SelectionWindowDestroy: number;
    SelectionClientClose: number;
  };
  SelectSelectionInput(window: number, selection: number, eventMask: number): void;
}

/** The connection's client with the selection requests typed. */
export function selectionClient(conn: XConnection): SelectionClient {
  return conn.client as XClient & SelectionClient;
}

/** Interns every atom the clipboard needs (one round trip each, once per connection). */
export async function internAtoms(conn: XConnection): Promise<Atoms> {
  const client = selectionClient(conn);
  const entries = await Promise.all(
    ATOM_NAMES.map(
      async (name) =>
        [
          name,
          await conn.request<number>((cb) => client.InternAtom(false, name, cb), 'InternAtom'),
        ] as const,
    ),
  );
  return Object.fromEntries(entries) as Atoms;
}
