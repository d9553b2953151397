/** Where the browser test finds Chromium: Debian's package, which `.ci/run` installs. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
