// Push to phones through a webhook: one HTTP POST with a JSON body per stored message, naming
// the device tokens of the members who were offline. Whatever sits behind the URL (an FCM
// relay, say) does the delivery; Parley holds no push credentials. The body is the dialect's
// (PushTarget.payload): the core says what happened, in the domain's names.

export interface PushNotice {
  conversation: { id: number; name: string };
  message: { id: number; body: string; type: string; hasAttachment: boolean };
  devices: Array<{ token: string; deviceType: string; accountId: number }>;
}

export interface PushTarget {
  url: string;
  /** The JSON body the webhook is sent for a notice. */
  payload: (notice: PushNotice) => object;
}

const PUSH_TIMEOUT_MS = 5_000;

export class PushWebhook {
  constructor(
    private readonly target: PushTarget | undefined,
    /** Where failures go: a push that fails must not fail the message. */
    readonly onError: (error: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.target !== undefined;
  }

  /** Posts the notice; never throws (a push that fails must not fail the message). */
  async send(notice: PushNotice): Promise<void> {
    if (this.target === undefined || notice.devices.length === 0) return;
    try {
      const response = await fetch(this.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.target.payload(notice)),
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`push webhook answered ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      this.onError(error);
    }
  }
}
