// Renders what `script` captured of an ahtrace command on a pty as a
// terminal picture (HTML): the screen while the progress line is at
// --at percent, and the screen once the command has ended. The text is
// the captured bytes, replayed as a terminal would (\r, \n, ESC[K);
// nothing is retyped. Used by scripts/make-pictures.sh only.
//
//   node term-html.mjs --typescript FILE --command 'ahtrace replay ...' --at 40 > page.html
import fs from 'node:fs';

const opt = {at: '40'};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];

let raw = fs.readFileSync(opt.typescript, 'latin1');
// script(1)'s own first and last lines are not the program's output.
raw = raw.replace(/^Script started on [^\n]*\n/, '').replace(/\n*Script done on [^\n]*\n?$/, '');
raw = Buffer.from(raw, 'latin1').toString('utf8');

// The screen after feeding `text` to a terminal: \r, \n and ESC[K (erase
// to the end of the line) are all ahtrace's progress meter writes.
function screen(text) {
  const lines = [''];
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const cur = lines.length - 1;
    if (c === '\r') col = 0;
    else if (c === '\n') { lines.push(''); col = 0; }
    else if (text.startsWith('\x1b[K', i)) { lines[cur] = lines[cur].slice(0, col); i += 2; }
    else if (c === '\x1b') throw new Error(`unexpected escape sequence at ${i}: ${JSON.stringify(text.slice(i, i + 8))}`);
    else { const l = lines[cur].padEnd(col); lines[cur] = l.slice(0, col) + c + l.slice(col + 1); col++; }
  }
  return lines;
}

// Cut the stream right after the first progress line at or past --at %.
const re = /\r([^\r\n\x1b]*?: (\d+)% of [^\r\n\x1b]*)\x1b\[K/g;
let cut = -1, m;
while ((m = re.exec(raw))) if (+m[2] >= +opt.at) { cut = re.lastIndex; break; }
if (cut < 0) throw new Error(`no progress line at ${opt.at}% or more in ${opt.typescript}`);

const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const prompt = `<span class="p">$</span> ${esc(opt.command)}`;
const during = [prompt, ...screen(raw.slice(0, cut)).map(esc)].join('\n') + '<span class="cur"> </span>';
const after = [prompt, ...screen(raw).map(esc)].join('\n').replace(/\n*$/, '\n') + '<span class="p">$</span> <span class="cur"> </span>';

process.stdout.write(`<!doctype html>
<meta charset="utf-8">
<style>
  body { margin: 0; background: #fff; }
  #shot { display: inline-block; padding: 14px; background: #fff; }
  .term { background: #1e1e1e; color: #d4d4d4; border-radius: 6px; margin: 0 0 10px 0;
          font: 14px/1.45 "DejaVu Sans Mono", monospace; box-shadow: 0 1px 4px rgba(0,0,0,.4); }
  .term:last-child { margin-bottom: 0; }
  .bar { background: #3a3a3a; color: #aaa; font: 12px sans-serif; padding: 4px 10px; border-radius: 6px 6px 0 0; }
  pre { margin: 0; padding: 10px 14px 12px; white-space: pre; }
  .p { color: #6ac36a; }
  .cur { background: #d4d4d4; }
</style>
<div id="shot">
<div class="term"><div class="bar">while it runs (stderr is a terminal)</div><pre>${during}</pre></div>
<div class="term"><div class="bar">when it ends: the line is cleared</div><pre>${after}</pre></div>
</div>
`);
