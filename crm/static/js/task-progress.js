// Follows a background task without reloading the page: polls its JSON state every 2 seconds,
// moves the progress bar, and reloads the page once the task has ended (to show its result).
// Without JavaScript, a <noscript> refresh does the same.
(function () {
  const bar = document.querySelector("[data-task-state]");
  if (!bar) return;
  const label = document.querySelector("label[for='" + bar.id + "']");
  async function poll() {
    try {
      const response = await fetch(bar.dataset.taskState, {headers: {Accept: "application/json"}});
      const state = await response.json();
      bar.value = state.progress;
      bar.textContent = state.progress + " %";
      if (label) label.textContent = "Avancement : " + state.progress + " %";
      if (state.status === "finished" || state.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // the next poll tries again
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
