// The segment builder's live count: each change of a criterion asks the JSON endpoint for the
// number of matching firms and the first ones, and shows them beside the form. Without
// JavaScript, "Afficher le décompte" submits the form and the page shows the same figures.
const form = document.getElementById("segment-form");
const count = document.getElementById("segment-count");
const preview = document.getElementById("segment-preview");
let timer = null;
let latest = 0;

function criteria() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (name !== "name" && name !== "csrf_token" && value !== "") params.append(name, value);
  }
  return params;
}

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

async function refresh() {
  const asked = ++latest;
  const response = await fetch(`${form.dataset.countUrl}?${criteria()}`, {
    credentials: "same-origin", headers: {"Accept": "application/json"}});
  const body = await response.json();
  if (asked !== latest) return;  // a newer request is on its way
  if (!response.ok) {
    count.textContent = "–";
    preview.replaceChildren(item(Object.values(body.fields || {}).flat().join(" ") || body.error));
    return;
  }
  count.textContent = body.count.toLocaleString("fr-FR");
  preview.replaceChildren(...(body.preview.length
    ? body.preview.map((firm) => item(firm.commune ? `${firm.name} – ${firm.commune}` : firm.name))
    : [item("Aucune entreprise ne correspond à ces critères.")]));
}

if (form) {
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 300); };
  form.addEventListener("input", (event) => { if (event.target.name !== "name") later(); });
  form.addEventListener("change", (event) => { if (event.target.name !== "name") later(); });
}
