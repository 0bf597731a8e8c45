// Child process of bench/ws-bench.ts: many /ws clients (and one that stops reading its socket),
// each noting when every DATA and PNL message reached it. Reports over IPC when told to.
import WebSocket from 'ws';
import { wallNow } from './common.js';

const { url, token, clients, stalled } = JSON.parse(process.argv[2]);
const SUBSCRIBE = JSON.stringify({ type: 'SUBSCRIBE', channels: ['DATA', 'PNL'], tickers: ['NQ1!'] });

function connect(): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const state = Array.from({ length: clients }, () => ({ data: [], pnl: [], other: 0, closed: false }));
let recording = false;
const sockets = [];
for (let c = 0; c < clients; c++) {
  const socket = await connect();
  const mine = state[c];
  socket.on('message', (raw) => {
    const at = wallNow();
    if (!recording) return;
    const message = JSON.parse(raw.toString());
    if (message.type === 'DATA') mine.data.push(message.data.prices.bid, at);
    // The live stream's pushes carry their push time; the recorder's once-a-second ones its whole second.
    else if (message.type === 'PNL' && message.data.time % 1000 !== 0) mine.pnl.push(message.data.time, at);
    else mine.other++;
  });
  socket.on('close', () => (mine.closed = true));
  socket.send(SUBSCRIBE);
  sockets.push(socket);
}

const stalledState: { received: number; closed: boolean; closeCode: number | null }[] = [];
for (let s = 0; s < stalled; s++) {
  const socket = await connect();
  const mine = { received: 0, closed: false, closeCode: null as number | null };
  socket.on('message', () => mine.received++);
  socket.on('close', (code) => Object.assign(mine, { closed: true, closeCode: code }));
  // Everything, then never read again: the server's writes pile up in the kernel, then in its buffers.
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  stalledState.push(mine);
  sockets.push(socket);
}

process.on('message', (message) => {
  if (message === 'start') {
    for (const mine of state) Object.assign(mine, { data: [], pnl: [], other: 0 });
    recording = true;
    process.send({ type: 'started' });
  } else if (message === 'stop') {
    recording = false;
    process.send({ type: 'result', clients: state, stalled: stalledState });
  } else if (message === 'exit') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
