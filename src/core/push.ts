// Push to phones through a webhook: one HTTP POST with a JSON body per stored message, naming
// the device tokens of the members who were offline. Whatever sits behind the URL (an FCM
// relay, say) does the delivery; Parley holds no push credentials.

export interface PushRequest {
  title: string;
  body: string;
  data: { click_action: string; room_id: number; message_id: number };
  devices: Array<{ token: string; device_type: string; account_id: number }>;
}

const PUSH_TIMEOUT_MS = 5_000;

export class PushWebhook {
  constructor(
    private readonly url: string | undefined,
    /** Where failures go: a push that fails must not fail the message. */
    readonly onError: (error: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** Posts the request; never throws (a push that fails must not fail the message). */
  async send(request: PushRequest): Promise<void> {
    if (this.url === undefined || request.devices.length === 0) return;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`push webhook answered ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      this.onError(error);
    }
  }
}
