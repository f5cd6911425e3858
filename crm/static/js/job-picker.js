// The job picker (docs/entry-point.md): each text field of a `[data-job-search]` group becomes an
// ARIA combobox offering the ROME jobs matching what is typed. Without this script the field is a
// plain text input and the server reads the code or label typed.

const DELAY_MS = 150;
const MIN_LENGTH = 2;

function plural(count) {
  if (count === 0) {
    return "Aucun métier trouvé : continuez à taper, ou décrivez le poste dans l'intitulé.";
  }
  const jobs = count === 1 ? "1 métier proposé" : `${count} métiers proposés`;
  return `${jobs}, flèches haut et bas pour parcourir, Entrée pour choisir.`;
}

function optionFor(job, id) {
  const item = document.createElement("li");
  item.id = id;
  item.className = "crm-job-picker__option";
  item.setAttribute("role", "option");
  item.setAttribute("aria-selected", "false");
  item.dataset.text = job.text;
  const label = document.createElement("span");
  label.textContent = job.label;
  const code = document.createElement("span");
  code.className = "crm-job-picker__code";
  code.textContent = job.shortage ? `${job.code} · métier en tension` : job.code;
  item.append(label, code);
  return item;
}

function enhance(group) {
  const input = group.querySelector("input");
  const list = document.createElement("ul");
  const status = document.createElement("p");
  list.id = `${input.id}-suggestions`;
  list.className = "crm-job-picker__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Métiers proposés");
  list.hidden = true;
  status.className = "fr-sr-only";
  status.setAttribute("aria-live", "polite");
  input.after(list);
  group.append(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  let timer = null;
  let active = -1;
  let asked = 0;

  const options = () => Array.from(list.children);

  // Closing (a job chosen, Escape, focus gone, too short a text) also drops the suggestions still
  // to come: a reply to an earlier text arriving after a choice would reopen the list.
  function close() {
    clearTimeout(timer);
    asked += 1;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const items = options();
    items.forEach((item, position) => item.setAttribute("aria-selected", String(position === index)));
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  }

  function choose(item) {
    input.value = item.dataset.text;
    close();
    status.textContent = `Métier choisi : ${item.dataset.text}.`;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  async function suggest() {
    const query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      close();
      return;
    }
    const ticket = ++asked;
    let jobs;
    try {
      const response = await fetch(`${group.dataset.jobSearch}?q=${encodeURIComponent(query)}`,
        { headers: { Accept: "application/json" } });
      if (!response.ok) {
        return;
      }
      jobs = await response.json();
    } catch {
      return;
    }
    if (ticket !== asked) {
      return;
    }
    list.replaceChildren(...jobs.map((job, index) => optionFor(job, `${list.id}-${index}`)));
    status.textContent = plural(jobs.length);
    if (jobs.length === 0 || document.activeElement !== input) {
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const count = options().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) {
        if (count > 0) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        return;
      }
      event.preventDefault();
      if (event.key === "ArrowDown") {
        highlight(active + 1 >= count ? 0 : active + 1);
      } else {
        highlight(active <= 0 ? count - 1 : active - 1);
      }
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(options()[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const item = event.target.closest("[role=option]");
    if (item) {
      choose(item);
      input.focus();
    }
  });
  input.addEventListener("blur", close);
}

document.querySelectorAll("[data-job-search]").forEach(enhance);
