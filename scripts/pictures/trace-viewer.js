// Evaluated (by cdp-shot.mjs --drive) in a page that trace2html made from
// `ahtrace export samples/http-als/trace`: waits for the trace viewer to
// load the trace, then shows the second request (38.6 ms to 44.4 ms after
// the start), trigger flow arrows on, the PROMISE and TickObject lifetimes
// folded to one row each, and one Timeout callback selected so the panel
// below shows its arguments (async id, site, store) and its flows.
(async () => {
  const view = {from: 38.6, to: 44.4, select: 'Timeout', fold: ['PROMISE', 'TickObject'], panelPx: 300};
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  let tv;
  for (let i = 0; i < 300; i++) {
    tv = document.querySelector('tr-ui-timeline-view');
    if (tv && tv.model && tv.trackView_) break;
    await sleep(100);
  }
  if (!tv || !tv.model) throw new Error('the trace viewer did not load the trace');
  await sleep(500);
  const track = tv.trackView_;
  tv.selectedFlowEvents.add('trigger');
  const fold = el => {
    if (typeof el.heading === 'string' && 'expanded' in el && view.fold.includes(el.heading)) el.expanded = false;
    for (const c of Polymer.dom(el).children) fold(c);
  };
  fold(track);
  const dt = new tr.ui.TimelineDisplayTransform();
  dt.set(track.viewport.currentDisplayTransform);
  dt.xSetWorldBounds(view.from, view.to, track.modelTrackContainer_.canvas.width);
  track.viewport.setDisplayTransformImmediately(dt);
  const thread = tv.model.getAllThreads()[0];
  const slice = thread.sliceGroup.slices.find(s => s.title === view.select && s.start >= view.from && s.start <= view.to);
  if (!slice) throw new Error(`no ${view.select} callback between ${view.from} and ${view.to} ms`);
  tv.brushingStateController.changeSelectionFromTimeline(new tr.model.EventSet([slice]));
  if (track.mouseModeSelector_) track.mouseModeSelector_.style.display = 'none';
  tv.analysisEl_.style.height = view.panelPx + 'px';
  tv.analysisEl_.style.maxHeight = 'none';
  await sleep(1500);
  return `selected ${slice.title} asyncId ${slice.args.asyncId}: ${JSON.stringify(slice.args.stores)}`;
})()
