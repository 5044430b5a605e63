// The demo's frontend: one page that calls the API and renders the catalog — the kind of page
// teams smoke-test after a deploy.
export function frontendPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo shop</title><link rel="icon" href="data:,">
<style>body{font:16px system-ui,sans-serif;margin:40px}li{margin:4px 0}.price{color:#57606a}</style></head>
<body>
<h1>Demo shop</h1>
<p id="status">Loading the catalog…</p>
<ul id="items"></ul>
<script>
fetch('/api/catalog')
  .then(function (r) { if (!r.ok) throw new Error('catalog answered ' + r.status); return r.json(); })
  .then(function (body) {
    var ul = document.getElementById('items');
    body.items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = item.name + ' ';
      var price = document.createElement('span');
      price.className = 'price';
      price.textContent = '$' + (item.priceCents / 100).toFixed(2);
      li.appendChild(price);
      ul.appendChild(li);
    });
    document.getElementById('status').textContent = body.items.length + ' items';
  })
  .catch(function (err) {
    document.getElementById('status').textContent = 'Could not load the catalog';
    console.error(err.message);
  });
</script>
</body></html>
`;
}
