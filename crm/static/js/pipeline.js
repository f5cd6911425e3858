// Progressive enhancement of the needs board: a card dragged to another open column posts the
// card's own move form (the keyboard way, which keeps working without this script) and moves the
// card when the server accepts; refusals are read out from the live region.

const board = document.querySelector("[data-pipeline]");
const messages = document.getElementById("pipeline-messages");
let dragged = null;

function say(text, kind) {
  const alert = document.createElement("div");
  alert.className = `fr-alert fr-alert--${kind} fr-alert--sm fr-mb-2w`;
  const paragraph = document.createElement("p");
  paragraph.textContent = text;
  alert.append(paragraph);
  messages.replaceChildren(alert);
}

function columnOf(element) {
  return element.closest("[data-column]");
}

function updateCount(column, delta) {
  const count = column.closest("section").querySelector("[data-count]");
  count.textContent = String(Number(count.textContent) + delta);
}

function placeholder(list) {
  const empty = list.querySelector("[data-empty]");
  const cards = list.querySelectorAll("[data-reference]").length;
  if (cards > 0 && empty) {
    empty.remove();
  } else if (cards === 0 && !empty) {
    const item = document.createElement("li");
    item.dataset.empty = "";
    item.innerHTML = '<p class="fr-text--sm">Aucune demande.</p>';
    list.append(item);
  }
}

function refresh(card, result) {
  card.dataset.status = result.status;
  card.dataset.version = String(result.version);
  card.querySelector('[data-field="status"]').innerHTML = result.badge; // rendered by the server
  card.querySelector('[data-field="adviser"]').textContent = result.adviser || "non attribuée";
  card.querySelector('[data-field="late"]').hidden = !result.late;
  card.querySelectorAll("[data-move-form]").forEach((form) => form.remove());
  card.querySelectorAll('input[name="version"]').forEach((input) => {
    input.value = String(result.version);
  });
}

async function post(card, status) {
  const body = new FormData();
  body.set("csrf_token", board.dataset.csrf);
  body.set("version", card.dataset.version);
  body.set("status", status);
  const response = await fetch(card.dataset.moveUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  const type = response.headers.get("Content-Type") || "";
  return { response, result: type.includes("application/json") ? await response.json() : null };
}

async function move(card, target) {
  const from = columnOf(card);
  let outcome;
  try {
    outcome = await post(card, target.dataset.column);
  } catch {
    say("La demande n'a pas pu être déplacée : la connexion a échoué. Réessayez ou utilisez le bouton de la carte.", "error");
    return;
  }
  const { response, result } = outcome;
  if (!response.ok || !result || !result.ok) {
    const reason = result ? result.message
      : `La demande n'a pas pu être déplacée (erreur ${response.status}). Rechargez la page.`;
    say(reason, "error");
    return;
  }
  refresh(card, result);
  target.prepend(card.closest("li"));
  updateCount(from, -1);
  updateCount(target, 1);
  placeholder(from);
  placeholder(target);
  say(result.message, "success");
  card.querySelector("h3 a").focus();
}

function enhance() {
  board.querySelectorAll("[data-move-url]").forEach((card) => {
    card.draggable = true;
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.reference);
    });
    card.addEventListener("dragend", () => {
      dragged = null;
    });
  });
  board.querySelectorAll("[data-column]").forEach((list) => {
    list.addEventListener("dragover", (event) => {
      if (dragged && columnOf(dragged) !== list) {
        event.preventDefault();
        list.classList.add("crm-board__cards--over");
      }
    });
    list.addEventListener("dragleave", () => list.classList.remove("crm-board__cards--over"));
    list.addEventListener("drop", (event) => {
      event.preventDefault();
      list.classList.remove("crm-board__cards--over");
      if (dragged && columnOf(dragged) !== list) {
        move(dragged, list);
      }
    });
  });
  document.querySelectorAll("[data-drag-hint]").forEach((hint) => {
    hint.hidden = false;
  });
}

if (board && messages) {
  enhance();
}
