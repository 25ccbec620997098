/** The one stylesheet, served at /static/gatehouse.css (no CDN: nothing outside the machine is reachable). */
export const STYLESHEET = `
:root{--fg:#1b1f24;--muted:#4a5360;--bg:#f6f7f9;--card:#fff;--accent:#1f5fbf;--accent-fg:#fff;--danger:#a4262c;--line:#d5d9e0}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg)}
header.top{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.25rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top a.brand{font-weight:700;color:var(--fg);text-decoration:none}
nav.langs a{margin-left:.75rem;color:var(--accent)}
nav.langs a[aria-current]{color:var(--fg);text-decoration:none;font-weight:600}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
main.wide{max-width:60rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password],input[type=url],textarea,select{width:100%;padding:.6rem;border:1px solid #8a94a3;border-radius:6px;font:inherit}
button,.button{display:inline-block;padding:.6rem 1.2rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary{background:var(--card);color:var(--accent)}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}
.error-box{border-left:4px solid var(--danger);padding:.5rem 1rem;background:#fdf3f4}
.notice{border-left:4px solid var(--accent);padding:.5rem 1rem;background:#eef3fb}
code,.code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#eef0f3;padding:.1rem .3rem;border-radius:4px;word-break:break-all}
.big-code{font-size:1.4rem;padding:.75rem;display:block;text-align:center;letter-spacing:.05em}
ul.scopes li{margin:.4rem 0}
.muted{color:var(--muted)}
dl.causes dt{font-weight:600;margin-top:.75rem}
dl.causes dd{margin:.25rem 0 0 1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
a{color:var(--accent)}
nav.user-nav{display:flex;gap:1rem;align-items:center;justify-content:flex-end;flex-wrap:wrap;margin:0 0 1rem}
form.inline{display:inline;margin:0}
button.link{background:none;border:none;color:var(--accent);padding:0;font-weight:400;text-decoration:underline}
button.danger{background:var(--danger);border-color:var(--danger)}
.button.secondary{background:var(--card);color:var(--accent)}
.card+.card{margin-top:1.25rem}
fieldset{border:1px solid var(--line);border-radius:6px;margin:1rem 0 0;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
.check{display:flex;gap:.5rem;align-items:baseline;margin:.3rem 0}
.check label{display:inline;font-weight:400;margin:0}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0 0}
dl.keys{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem;margin:0}
dl.keys dt{font-weight:600}
dl.keys dd{margin:0;min-width:0}
.scroll{overflow-x:auto}
.nowrap{white-space:nowrap}
.small{font-size:.85rem}
td.detail{max-width:24rem}
ul.links li{margin:.35rem 0}
ul.apps{list-style:none;padding:0}
ul.apps>li{border-top:1px solid var(--line);padding:.75rem 0}
ul.apps h2{margin-top:0}
textarea{resize:vertical}
input:focus,textarea:focus,button:focus,a:focus{outline:3px solid #9cc0f5;outline-offset:1px}
body.display-popup header.top{padding:.5rem .75rem}
body.display-popup main{max-width:28rem;margin:.75rem auto}
body.display-mobile main{margin:.5rem auto;padding:0 .5rem}
body.display-mobile button{width:100%;padding:.9rem}
body.display-tv{font-size:24px}
body.display-tv main{max-width:56rem}
body.display-tv button{padding:1rem 2rem}
@media (max-width:40rem){dl.keys{grid-template-columns:1fr}}
@media (max-width:30rem){header.top .muted{display:none}}
.card>h2:first-child{margin-top:0}
.error-box h2{margin-top:.5rem}
table.failures code,code.code-name{word-break:normal;white-space:nowrap}
code.code-name{white-space:normal}
table.failures td:first-child{min-width:9rem}
table.failures th:last-child{min-width:7rem}
table.failures td:first-child code{white-space:normal;word-break:break-all}
@media (max-width:30rem){main{margin:1rem auto}.card{padding:1rem}}
`;
