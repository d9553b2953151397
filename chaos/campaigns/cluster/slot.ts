// The Redis Cluster slot of a key (CRC16/XMODEM of its hash tag, mod 16384), as Redis computes
// it, so a campaign knows which primary holds ftops's keys and can pick a namespace's slot.

/** The slot of `key`; a non-empty `{…}` tag hashes alone, as in Redis. */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** The first namespace `chaos-<stem>-<n>` whose hash tag lands in `slot`. */
export function namespaceInSlot(stem: string, slot: number): string {
  for (let i = 0; ; i++) {
    const ns = `chaos-${stem}-${i}`;
    if (slotOf(ns) === slot) return ns;
  }
}
