// The peer the hub's fan-out is compared with: a bare `ws` server that relays each message from
// the first socket to every other socket, and nothing else.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
let source: unknown = null;
wss.on('connection', (ws, req) => {
  if (req.url === '/source') source = ws;
  ws.on('message', (data) => {
    if (ws !== source) return;
    for (const client of wss.clients) if (client !== source) client.send(data.toString());
  });
});
wss.on('listening', () => process.stdout.write(`${(wss.address() as { port: number }).port}\n`));
