// A stand-in for the browser's EventSource in the unit tests (Node has none): it records its URL
// and lets the test send what the server would.

export class FakeEventSource extends EventTarget {
  static opened: FakeEventSource[] = [];
  readyState = 0;
  constructor(readonly url: string) {
    super();
    FakeEventSource.opened.push(this);
  }
  close() {
    this.readyState = 2;
  }
  /** The server sends an event (data as JSON unless a string). */
  send(type: string, data: unknown = {}, lastEventId = "") {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent(type, { data: typeof data === "string" ? data : JSON.stringify(data), lastEventId }));
  }
  /** The connection fails: the browser retries (readyState CONNECTING) or gives up (CLOSED). */
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.dispatchEvent(new Event("error"));
  }
  static latest(): FakeEventSource {
    return FakeEventSource.opened[FakeEventSource.opened.length - 1];
  }
}

export const openFake = (url: string) => new FakeEventSource(url) as unknown as EventSource;
