// The gateway's heartbeat: once a period every socket is pinged, and one that has not answered
// the ping before is dropped. A round pings HEARTBEAT_CHUNK sockets an event-loop turn, so that
// the frames read meanwhile are handled between chunks: pinging every socket in one turn (a
// write each) held the event loop for 137 ms with 4,000 sockets, and every message in flight
// waited for it. The round stays one burst a period, not pings spread over it: spread (a
// hundredth of the sockets every 300 ms), the server held 23 MiB more with 18,000 idle sockets in
// the bench's idle scenario, 9.5 KiB a socket instead of 5.7, garbage of the steady pings and
// pongs most likely, but it counts in the resident memory all the same.
import type { Connection } from './connection.js';
import { HEARTBEAT_CHUNK } from './limits.js';

export class Heartbeat {
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    periodMs: number,
  ) {
    this.timer = setInterval(() => this.round(), periodMs).unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private round(): void {
    // A set's iterator is live: a connection closed meanwhile is skipped, one opened is pinged too.
    const rest = this.connections.values();
    const chunk = (): void => {
      if (this.stopped) return;
      for (let pinged = 0; pinged < HEARTBEAT_CHUNK; pinged += 1) {
        const next = rest.next();
        if (next.done) return;
        ping(next.value);
      }
      setImmediate(chunk);
    };
    chunk();
  }
}

function ping(connection: Connection): void {
  if (!connection.alive) {
    connection.socket.terminate();
    return;
  }
  connection.alive = false;
  connection.socket.ping();
}
