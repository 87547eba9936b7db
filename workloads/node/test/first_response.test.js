// The first-response server's three endpoints, over one keep-alive connection.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer } = require('./run_main');

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

test('first-response answers /ping, /stats and 404 with Content-Length, kept alive', async (t) => {
  // port=0 lets the OS choose here (the harness passes a free port), so tests never collide.
  const { child, ready } = await startServer(['first-response', 'default', 'port=0']);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => {
    agent.destroy();
    child.kill();
  });
  assert.equal(ready.event, 'ready');
  assert.ok(Number.isInteger(ready.port) && ready.port > 0);
  const { port } = ready;

  // Keep-alive means every request reuses the agent's one socket: count the sockets it opens.
  let sockets = 0;
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (...args) => {
    sockets++;
    return createConnection(...args);
  };

  const ping = await get(agent, port, '/ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.body, 'pong');
  assert.equal(ping.headers['content-length'], '4');
  assert.equal(ping.headers['transfer-encoding'], undefined);

  const missing = await get(agent, port, '/nope');
  assert.equal(missing.status, 404);

  const stats = await get(agent, port, '/stats');
  assert.equal(stats.status, 200);
  assert.equal(stats.body, '{"requests":2}');
  assert.equal(stats.headers['content-length'], String(stats.body.length));

  assert.equal(sockets, 1);
});
