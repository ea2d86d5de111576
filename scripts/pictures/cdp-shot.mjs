// Screenshot of a page in a running headless chromium, over the DevTools
// protocol (node >= 22: it has WebSocket built in). Used by
// scripts/make-pictures.sh only.
//
//   node cdp-shot.mjs --port P --url URL --out OUT.png [--size 1400x800]
//        [--drive FILE.js] [--clip CSS-SELECTOR] [--timeout-ms 30000]
//
// --drive: a script evaluated in the page after load (it may return a
// promise); its result is printed. --clip: crop to that element's box.
import fs from 'node:fs';

const opt = {size: '1400x800', 'timeout-ms': '30000'};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
for (const k of ['port', 'url', 'out']) if (!opt[k]) { console.error(`cdp-shot: --${k} is required`); process.exit(2); }
const [width, height] = opt.size.split('x').map(Number);
setTimeout(() => { console.error('cdp-shot: timed out'); process.exit(1); }, +opt['timeout-ms']).unref();

const targets = await (await fetch(`http://127.0.0.1:${opt.port}/json/list`)).json();
const page = targets.find(t => t.type === 'page');
if (!page) { console.error('cdp-shot: no page target'); process.exit(1); }
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let nextId = 0;
const pending = new Map();
const waiters = [];
ws.onmessage = ev => {
  const m = JSON.parse(ev.data);
  if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); return; }
  for (const w of waiters.splice(0)) if (w.method === m.method) w.resolve(m); else waiters.push(w);
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, m => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
  ws.send(JSON.stringify({id, method, params}));
});
const event = method => new Promise(resolve => waiters.push({method, resolve}));

await send('Page.enable');
await send('Emulation.setDeviceMetricsOverride', {width, height, deviceScaleFactor: 1, mobile: false});
const loaded = event('Page.loadEventFired');
const nav = await send('Page.navigate', {url: opt.url});
if (nav.errorText) { console.error(`cdp-shot: ${opt.url}: ${nav.errorText}`); process.exit(1); }
await loaded;

if (opt.drive) {
  const r = await send('Runtime.evaluate', {expression: fs.readFileSync(opt.drive, 'utf8'), awaitPromise: true, returnByValue: true});
  if (r.exceptionDetails) { console.error('cdp-shot: drive script failed:', JSON.stringify(r.exceptionDetails).slice(0, 800)); process.exit(1); }
  if (r.result.value !== undefined) console.log(r.result.value);
}

const shot = {format: 'png'};
if (opt.clip) {
  const r = await send('Runtime.evaluate', {returnByValue: true, expression:
    `(() => { const b = document.querySelector(${JSON.stringify(opt.clip)}).getBoundingClientRect();
              return {x: b.x, y: b.y, width: Math.ceil(b.width), height: Math.ceil(b.height)}; })()`});
  shot.clip = {...r.result.value, scale: 1};
}
const {data} = await send('Page.captureScreenshot', shot);
fs.writeFileSync(opt.out, Buffer.from(data, 'base64'));
process.exit(0);
