// Progressive enhancement of the public request form: the communes of the postal code typed
// fill the commune list at once. Without this script the server offers them after sending.

const form = document.getElementById("demande");
const postalCode = document.getElementById("postal_code");
const commune = document.getElementById("commune_code");

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

async function offerCommunes() {
  const code = postalCode.value.replace(/\s/g, "");
  if (!/^\d{5}$/.test(code)) {
    return;
  }
  const url = `${form.dataset.communesUrl}?code_postal=${encodeURIComponent(code)}`;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    return;
  }
  const communes = await response.json();
  const chosen = commune.value;
  if (communes.length === 0) {
    commune.replaceChildren(option("", "Aucune commune de la région pour ce code postal"));
    return;
  }
  const options = communes.map((item) => option(item.code, item.name));
  if (communes.length > 1) {
    options.unshift(option("", "Choisir la commune"));
  }
  commune.replaceChildren(...options);
  if (communes.some((item) => item.code === chosen)) {
    commune.value = chosen;
  }
}

if (form && postalCode && commune) {
  postalCode.addEventListener("input", offerCommunes);
}

const summary = document.getElementById("erreurs") || document.getElementById("limite");
if (summary) {
  summary.focus();
}
