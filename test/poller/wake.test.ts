import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wakeOnTopologyChange } from '../../src/poller/wake.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waking the workers when Redis changes under them', () => {
  it('writes the markers a few times after a new cluster node, not before', async () => {
    const conn = new EventEmitter();
    const wake = vi.fn(async () => undefined);
    const stop = wakeOnTopologyChange({ sources: [conn], wake, delaysMs: [200, 1000, 3000] });
    conn.emit('+node');
    await vi.advanceTimersByTimeAsync(199);
    expect(wake).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(wake).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(wake).toHaveBeenCalledTimes(3);
    stop();
  });

  it('ignores the first ready (start-up) and wakes on every later one (a reconnect)', async () => {
    const conn = new EventEmitter();
    const wake = vi.fn(async () => undefined);
    const stop = wakeOnTopologyChange({ sources: [conn], wake, delaysMs: [100] });
    conn.emit('ready');
    await vi.advanceTimersByTimeAsync(1000);
    expect(wake).not.toHaveBeenCalled();
    conn.emit('ready');
    await vi.advanceTimersByTimeAsync(100);
    expect(wake).toHaveBeenCalledTimes(1);
    stop();
  });

  it('a burst of events makes one series of wakes, from the latest', async () => {
    const a = new EventEmitter();
    const b = new EventEmitter();
    const wake = vi.fn(async () => undefined);
    const stop = wakeOnTopologyChange({ sources: [a, b], wake, delaysMs: [200, 1000] });
    a.emit('+node');
    await vi.advanceTimersByTimeAsync(150);
    b.emit('+node');
    await vi.advanceTimersByTimeAsync(150);
    expect(wake).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(wake).toHaveBeenCalledTimes(2);
    stop();
  });

  it('a failed write is ignored; stopping cancels pending wakes and stops listening', async () => {
    const conn = new EventEmitter();
    const wake = vi.fn(async () => {
      throw new Error('Connection is closed.');
    });
    const stop = wakeOnTopologyChange({ sources: [conn], wake, delaysMs: [100, 500] });
    conn.emit('+node');
    await vi.advanceTimersByTimeAsync(100);
    expect(wake).toHaveBeenCalledTimes(1);
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    conn.emit('+node');
    await vi.advanceTimersByTimeAsync(1000);
    expect(wake).toHaveBeenCalledTimes(1);
    expect(conn.listenerCount('+node')).toBe(0);
    expect(conn.listenerCount('ready')).toBe(0);
  });
});
