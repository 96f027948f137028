'use strict';
/*
 * Debian's Chromium as every browser test starts it. Its own background
 * traffic is refused by the machine's closed network; these flags keep it
 * from trying. playwright's launch() gives every run a fresh, empty
 * --user-data-dir of its own. CHROMIUM names another binary.
 */
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/* A headless Chromium, to be closed by the caller. */
function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

module.exports = { launch };
