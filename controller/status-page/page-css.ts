/**
 * The page's stylesheet (served as /assets/page.css): system fonts only, colours that keep at least
 * 4.5:1 contrast on white, one column on a phone.
 */
export const PAGE_CSS = `
:root { --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #fff; --panel: #f6f8fa; --link: #0550ae;
  --succeeded: #1a7f37; --updating: #0550ae; --pending: #6e7781; --stuck: #9a6700; --failed: #cf222e; --idle: #8c959f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 16px; background: #24292f; color: #fff; }
header .brand { font-weight: 700; color: #fff; text-decoration: none; margin-right: 8px; }
header nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; }
header nav a { color: #fff; text-decoration: none; padding: 4px 2px; }
header nav a[aria-current="page"] { border-bottom: 2px solid #fff; }
header form { margin: 0; }
header button { background: transparent; color: #fff; border: 1px solid #8c959f; border-radius: 6px; padding: 3px 10px; font: inherit; cursor: pointer; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 48px; }
h1 { font-size: 1.5rem; margin: 8px 0 4px; } h2 { font-size: 1.15rem; margin: 24px 0 8px; }
.meta, .muted { color: var(--muted); }
#connection { margin: 0; padding: 10px 16px; background: #fff8c5; border-bottom: 2px solid var(--stuck); font-weight: 600; }
body.stale #live { opacity: .5; filter: grayscale(1); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
.cards li a, .cards li span.card { display: block; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; text-decoration: none; color: var(--fg); background: var(--panel); }
.cards .n { display: block; font-size: 1.5rem; font-weight: 700; }
.rollout { border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin: 10px 0; }
.rollout h3 { margin: 0 0 4px; font-size: 1.05rem; }
.stages { display: grid; grid-template-columns: repeat(auto-fit, minmax(90px, 1fr)); gap: 6px; margin: 8px 0; }
.stages > div { display: flex; flex-direction: column; justify-content: flex-end; }
.stage-label { font-size: .8rem; color: var(--muted); }
.bar { display: block; width: 100%; height: 14px; border-radius: 7px; background: #eaeef2; border: 1px solid var(--line); }
.s-succeeded { fill: var(--succeeded); } .s-updating { fill: var(--updating); } .s-pending { fill: var(--pending); }
.s-stuck { fill: var(--stuck); } .s-failed { fill: var(--failed); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: .85rem; font-weight: 600; color: #fff; background: var(--pending); }
.p-Progressing, .p-Completed { background: var(--succeeded); } .p-Stalled, .p-Paused { background: var(--stuck); } .p-Failed { background: var(--failed); }
.st { font-weight: 600; } .st-stuck { color: var(--stuck); } .st-failed { color: var(--failed); } .st-succeeded { color: var(--succeeded); } .st-updating { color: var(--updating); }
.sev-error { color: var(--failed); font-weight: 600; } .sev-warning { color: var(--stuck); font-weight: 600; }
.counts { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0; padding: 0; list-style: none; font-size: .9rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
td.reason { min-width: 16em; }
td:first-child a { white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } dt { font-weight: 600; } dd { margin: 0; }
.st-pending { color: var(--pending); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; }
.errors { border-left: 4px solid var(--failed); background: #fff1f0; padding: 8px 12px; }
.notice { border-left: 4px solid var(--stuck); background: #fff8c5; padding: 8px 12px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 8px 0; }
form.filters label, .signin label { display: flex; flex-direction: column; font-size: .9rem; font-weight: 600; }
input, select, button { font: inherit; }
input, select { padding: 5px 8px; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--fg); }
.btn { padding: 6px 14px; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; font-weight: 600; cursor: pointer; }
.pager { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
.signin { max-width: 420px; margin: 10vh auto; padding: 24px; border: 1px solid var(--line); border-radius: 10px; }
.signin form { display: flex; flex-direction: column; gap: 12px; }
@media (max-width: 600px) { main { padding: 8px 10px 40px; } th, td { padding: 4px 5px; } .hide-narrow { display: none; }
  td.reason { min-width: 11em; } .cards .n { font-size: 1.25rem; } dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: 6px; } }
`;
