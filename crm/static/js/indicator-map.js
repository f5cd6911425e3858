/* The basin choropleth of the committee dashboard (crm/blueprints/indicators/basin_map.py): each
   basin shows its name and value in a tooltip (built with textContent) and opens its own dashboard
   when clicked. The page carries the map's names and the basins' addresses in #crm-indicator-map. */
(function () {
  "use strict";

  var source = document.getElementById("crm-indicator-map");
  if (!source || !window.L) {
    return;
  }
  var config = JSON.parse(source.textContent);
  var layer = window[config.layer];
  var numbers = new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 1});

  window[config.map].attributionControl.setPrefix("Leaflet");
  layer.eachLayer(function (basin) {
    var props = basin.feature.properties;
    var tip = document.createElement("span");
    tip.textContent = props.name + " : " + numbers.format(props.value) + " " + config.unit;
    basin.bindTooltip(tip, {sticky: true});
    basin.on("click", function () {
      if (config.links[props.code]) {
        window.location.assign(config.links[props.code]);
      }
    });
  });
}());
