import type { BotProcess } from './bot-process.ts';

/** SIGKILLs `bot` and resolves, once it is gone, with the signal that ended it ("none" if none). */
export async function sigkill(bot: BotProcess): Promise<string> {
  await bot.kill('SIGKILL');
  return (await bot.exited).signal ?? 'none';
}
