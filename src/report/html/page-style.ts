/**
 * The page's style sheet, inline. Sized for a laptop (1366 px wide) up to a desktop (1920 px):
 * the content stays within 1500 px, tables scroll inside their own box with their header in view.
 * On paper (A4 landscape) the boxes unfold, the navigation goes, the chart keeps its colours.
 */
import { PRINT_ROWS } from './data-table.js';
import { OUTCOME_STYLES } from './outcome-colours.js';

const swatches = OUTCOME_STYLES.map((s) => `.swatch.${s.key}{background:${s.colour}}.card.${s.key}{border-left-color:${s.colour}}`).join('\n');

/** The CSS text of the page. */
export const PAGE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:#1b1f24;background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
nav{position:sticky;top:0;z-index:3;background:#f6f8fa;border-bottom:1px solid #d8dee4;padding:6px 24px;font-size:13px}
nav a{color:#0b5cad;text-decoration:none;margin-right:18px}
nav a:hover{text-decoration:underline}
nav b{margin-right:22px}
main{max-width:1500px;margin:0 auto;padding:4px 24px 48px}
h1{font-size:20px;margin:12px 0 2px}
h2{font-size:17px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid #d8dee4;scroll-margin-top:40px}
h3{font-size:14px;margin:18px 0 6px}
p{margin:6px 0}
code{font:12.5px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;overflow-wrap:anywhere}
.muted,.note,.caption{color:#57606a}
.note{font-style:italic}
.caption{font-size:12.5px;margin-top:2px}
.files{margin:4px 0;padding-left:18px}
.verdict{font-size:15px;margin:8px 0 0;padding:6px 12px;background:#f6f8fa;border-left:4px solid #0072B2}
.banner{padding:8px 12px;background:#fff4e5;border:1px solid #D55E00;border-radius:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:8px;margin:8px 0 10px}
.card{border:1px solid #d8dee4;border-left:5px solid #8c959f;border-radius:5px;padding:4px 10px}
.card b{display:block;font-size:19px;font-variant-numeric:tabular-nums}
.card span{font-size:12px;color:#57606a}
.card.share{border-left-color:#1b1f24}
${swatches}
.facts,.notes{margin:6px 0;padding-left:20px}
.facts li,.notes li{margin:2px 0}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 22px;margin:6px 0;padding:0}
.swatch{display:inline-block;width:13px;height:13px;margin-right:6px;vertical-align:-2px;border:1px solid rgba(0,0,0,.35);border-radius:2px}
svg.chart{display:block;width:100%;height:auto;max-height:400px}
svg.chart text{font-size:12px;fill:#3d444d}
svg.chart text.y{text-anchor:end;dominant-baseline:middle}
svg.chart text.x{text-anchor:middle}
svg.chart text.end,svg.chart text.unit{text-anchor:end}
svg.chart text.unit{font-weight:600}
svg.chart text.context{fill:#57606a}
svg.chart text.panel{font-weight:600;fill:#1b1f24}
svg.chart line.grid{stroke:#e6e9ed}
svg.chart line.base,svg.chart line.tick{stroke:#57606a}
svg.chart .bar{stroke:rgba(0,0,0,.3);stroke-width:.5}
svg.chart .hit{fill:transparent}
svg.chart .hit:hover{fill:rgba(0,0,0,.09)}
.overview{display:flex;flex-wrap:wrap;align-items:flex-start;gap:4px 28px}
.overview .scroll{flex:0 1 auto;max-width:100%}
.overview table{width:auto}
.overview .facts{flex:1 1 420px}
.scroll{max-height:min(62vh,560px);overflow:auto;border:1px solid #d8dee4;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:3px 9px;text-align:left;white-space:nowrap;border-bottom:1px solid #eaeef2}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
thead th{position:sticky;top:0;z-index:1;background:#f0f3f6;border-bottom:1px solid #c9d1d9;cursor:pointer;user-select:none}
thead th[aria-sort=descending]::after{content:" ▼";font-size:10px}
thead th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
tbody tr:nth-child(even){background:#fafbfc}
tbody tr:hover{background:#eef5fc}
tfoot td{background:#f0f3f6;border-top:1px solid #c9d1d9;color:#57606a;font-style:italic}
.tag{display:inline-block;padding:0 7px;margin:1px 3px 1px 0;border-radius:9px;background:#eaeef2;font-size:12px}
.tag.warn{background:#fde2cf}
.bad{color:#b34700;font-weight:600}
.tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:0 18px}
.tops .scroll{max-height:300px}
.legend-list{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0;font-size:13px}
.legend-list dt{font-weight:600}
.legend-list dd{margin:0;color:#3d444d}
footer{margin-top:36px;font-size:12px;color:#57606a}
.print-only{display:none}
@media (max-width:900px){main{padding:4px 10px 30px}nav{padding:6px 10px}}
@page{size:A4 landscape;margin:12mm}
@media print{
  body{font-size:10.5px}
  nav{display:none}
  main{max-width:none;padding:0}
  h1{font-size:16px}
  h2{font-size:13px;break-after:avoid;margin-top:16px}
  h3{font-size:11px}
  code{font-size:10px}
  .verdict{font-size:11.5px}
  .cards{grid-template-columns:repeat(auto-fill,minmax(96px,1fr))}
  .card b{font-size:14px}
  .card span,.caption,.legend-list,.tag{font-size:9.5px}
  .scroll{max-height:none;overflow:visible;border:none}
  table{font-size:9.5px}
  thead th{position:static}
  tr,svg.chart,.cards,.legend-list{break-inside:avoid}
  tbody tr:nth-child(n+${PRINT_ROWS + 1}){display:none}
  .print-only{display:block;font-style:italic;color:#57606a}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
