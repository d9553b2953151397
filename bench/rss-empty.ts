/** Child process: reports the RSS of node under tsx with nothing of ours loaded (a baseline). */
import { tellParent } from './child.ts';

(globalThis as { gc?: () => void }).gc?.();
const m = process.memoryUsage();
tellParent({ rss: m.rss, heapUsed: m.heapUsed });
process.disconnect?.();
