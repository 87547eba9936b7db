// msg-passing: the contract's test vectors for every model, the result's shape, the bounded
// channel of the promise model, and the usage errors.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { Channel } = require('../src/msg_passing');
const { runMain } = require('./run_main');

const MODELS = ['promise', 'message-channel'];

// (P, M, N, Q) → checksum, from the contract.
const VECTORS = [
  [[3, 10, 10, 2], '2055683726:165029893'],
  [[2, 1, 1, 1], '67918732:0'],
];

for (const model of MODELS) {
  test(`msg-passing ${model}: the test vectors and the result's fields`, async () => {
    for (const [[tasks, hops, messages, capacity], checksum] of VECTORS) {
      const { code, events, stderr } = await runMain([
        'msg-passing', model,
        `tasks=${tasks}`, `hops=${hops}`, `messages=${messages}`, `capacity=${capacity}`,
      ]);
      assert.equal(code, 0, stderr);
      assert.equal(events.length, 1);
      const [result] = events;
      assert.deepEqual(Object.keys(result), [
        'event', 'checksum', 'ops', 'tasks', 'capacity',
        'ring_ns', 'pair_ns', 'ring_cpu_ns', 'pair_cpu_ns',
      ]);
      assert.equal(result.event, 'result');
      assert.equal(result.checksum, checksum);
      assert.equal(result.ops, hops + messages);
      assert.equal(result.tasks, tasks);
      assert.equal(result.capacity, capacity); // neither node model is a rendezvous
      for (const field of ['ring_ns', 'pair_ns']) {
        assert.ok(Number.isInteger(result[field]) && result[field] > 0, field);
      }
      for (const field of ['ring_cpu_ns', 'pair_cpu_ns']) {
        assert.ok(Number.isInteger(result[field]) && result[field] >= 0, field);
      }
    }
  });
}

test('Channel: values arrive in order; a send waits while Q values are queued', async () => {
  const channel = new Channel(2);
  await channel.send(1);
  await channel.send(2);
  let thirdSent = false;
  const third = channel.send(3).then(() => {
    thirdSent = true;
  });
  await new Promise(setImmediate);
  assert.equal(thirdSent, false, 'the third send waits for room');
  assert.equal(await channel.recv(), 1);
  await third;
  assert.equal(thirdSent, true);
  assert.equal(await channel.recv(), 2);
  assert.equal(await channel.recv(), 3);
});

test('Channel: a value sent to a waiting receiver goes straight to it', async () => {
  const channel = new Channel(1);
  const received = channel.recv();
  await channel.send(7);
  assert.equal(await received, 7);
  assert.equal(channel.values.length, 0);
});

test('msg-passing: tasks=1, unknown model and capacity=0 are usage errors', async () => {
  const sizes = ['hops=1', 'messages=1', 'capacity=1'];
  assert.equal((await runMain(['msg-passing', 'promise', 'tasks=1', ...sizes])).code, 2);
  assert.equal((await runMain(['msg-passing', 'message-channel', 'tasks=1', ...sizes])).code, 2);
  assert.equal((await runMain(['msg-passing', 'unbuffered', 'tasks=2', ...sizes])).code, 2);
  const zero = ['tasks=2', 'hops=1', 'messages=1', 'capacity=0'];
  assert.equal((await runMain(['msg-passing', 'promise', ...zero])).code, 2);
});
