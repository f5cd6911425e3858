/* Data layers of the regional map (/carte), drawn from the JSON the page carries
   (#crm-map-data) into the Folium layers it names:
   - firms: one counted marker per commune while zoomed out (the cluster group sums them); from
     zoom `pointsZoom` on, the firms of the visible area, loaded from `urls.points` by bounding box
     (back to communes when the area holds more than the server's cap);
   - open needs, upcoming visits and events as small circles;
   - a tooltip on each basin with the indicator's value.
   Every popup and tooltip is built with textContent: names are never read as HTML. */
(function () {
  "use strict";

  var source = document.getElementById("crm-map-data");
  if (!source || !window.L) {
    return;
  }
  var config = JSON.parse(source.textContent);
  var map = window[config.map];
  var layers = {};
  Object.keys(config.layers).forEach(function (key) {
    layers[key] = window[config.layers[key]];
  });
  var status = document.getElementById("crm-map-status");
  var numbers = new Intl.NumberFormat("fr-FR");
  var dates = new Intl.DateTimeFormat("fr-FR", {
    dateStyle: "full", timeStyle: "short", timeZone: "Europe/Paris"
  });

  map.attributionControl.setPrefix("Leaflet");

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function plural(count, one, many) {
    return numbers.format(count) + " " + (count === 1 ? one : many);
  }

  function when(iso) {
    return dates.format(new Date(iso + "Z"));  // stored as UTC without a zone
  }

  /* A popup's content: one paragraph per line, a line being text or {text, href, strong}. */
  function content(lines) {
    var box = document.createElement("div");
    box.className = "crm-map-popup";
    lines.forEach(function (line) {
      var item = typeof line === "string" ? {text: line} : line;
      var paragraph = document.createElement("p");
      var target = paragraph;
      if (item.href) {
        target = document.createElement("a");
        target.href = item.href;
        paragraph.appendChild(target);
      }
      if (item.strong) {
        var strong = document.createElement("strong");
        target.appendChild(strong);
        target = strong;
      }
      target.textContent = item.text;
      box.appendChild(paragraph);
    });
    return box;
  }

  function companyUrl(id) {
    return config.urls.company.replace(/0$/, String(id));
  }

  /* The cluster group shows the sum of the firms its markers stand for. */
  function countIcon(count) {
    var size = count < 100 ? 34 : count < 10000 ? 42 : 50;
    var label = document.createElement("span");
    label.className = "crm-map-count";
    label.textContent = numbers.format(count);
    return L.divIcon({html: label, className: "", iconSize: L.point(size, size)});
  }

  layers.firms.options.iconCreateFunction = function (cluster) {
    var total = cluster.getAllChildMarkers().reduce(function (sum, marker) {
      return sum + (marker.options.count || 1);
    }, 0);
    return countIcon(total);
  };

  var communeMarkers = config.communes.map(function (row) {
    var count = row[2];
    return L.marker([row[0], row[1]], {
      icon: countIcon(count), count: count, title: row[3] + " : " + plural(count, "entreprise", "entreprises")
    }).bindPopup(content([
      {text: row[3], strong: true}, plural(count, "entreprise", "entreprises"),
      "Rapprochez-vous pour les voir une par une."
    ]));
  });

  function firmMarker(row) {
    return L.circleMarker([row[0], row[1]], {
      radius: 6, color: config.symbols.firms.colour, weight: 2, fillColor: config.symbols.firms.fill,
      fillOpacity: 0.9, count: 1
    }).bindPopup(content([{text: row[3], href: companyUrl(row[2]), strong: true}]));
  }

  var mode = null;
  var ticket = 0;

  function showCommunes(message) {
    ticket += 1;
    if (mode !== "communes") {
      layers.firms.clearLayers();
      layers.firms.addLayers(communeMarkers);
      mode = "communes";
    }
    announce(message);
  }

  function boundingBox() {
    var bounds = map.getBounds();
    var clamp = function (value, limit) { return Math.max(-limit, Math.min(limit, value)).toFixed(5); };
    return [clamp(bounds.getWest(), 180), clamp(bounds.getSouth(), 90),
            clamp(bounds.getEast(), 180), clamp(bounds.getNorth(), 90)].join(",");
  }

  function showFirms(data) {
    if (data.truncated) {
      showCommunes("Plus de " + plural(data.cap, "entreprise", "entreprises") +
                   " dans la zone affichée : rapprochez-vous pour les voir une par une.");
      return;
    }
    layers.firms.clearLayers();
    layers.firms.addLayers(data.points.map(firmMarker));
    mode = "points";
    announce(plural(data.count, "entreprise", "entreprises") + " dans la zone affichée.");
  }

  function loadFirms() {
    var mine = ++ticket;
    var url = config.urls.points + (config.urls.points.indexOf("?") < 0 ? "?" : "&") +
              "bbox=" + boundingBox();
    announce("Chargement des entreprises de la zone…");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (mine === ticket) {
          showFirms(data);
        }
      })
      .catch(function () {
        if (mine === ticket) {
          announce("Les entreprises de la zone n'ont pas pu être chargées : déplacez la carte pour réessayer.");
        }
      });
  }

  function refresh() {
    if (map.getZoom() >= config.pointsZoom) {
      loadFirms();
    } else {
      showCommunes("Vue d'ensemble : les entreprises sont regroupées par commune ; " +
                   "rapprochez-vous pour les voir une par une.");
    }
  }

  /* Small circles in the colours the legend gives the layer (config.symbols). */
  function circles(key, lines) {
    var symbol = config.symbols[key];
    config[key].forEach(function (row) {
      L.circleMarker([row[0], row[1]], {radius: 7, weight: 2, fillOpacity: 0.9,
                                        color: symbol.colour, fillColor: symbol.fill})
        .bindPopup(content(lines(row))).addTo(layers[key]);
    });
  }

  circles("needs", function (row) {
    return [{text: "Besoin " + row[2], href: config.urls.need.replace("REFERENCE", encodeURIComponent(row[2])),
             strong: true}, row[3] || "Métier non précisé", row[4]];
  });
  circles("visits", function (row) {
    return [{text: "Visite prévue", strong: true}, when(row[2]), row[3]];
  });
  circles("events", function (row) {
    var title = {text: row[3], strong: true};
    if (config.urls.event) {
      title.href = config.urls.event.replace(/0$/, String(row[5]));
    }
    return [title, when(row[2]), row[4]];
  });

  layers.basins.eachLayer(function (basin) {
    var props = basin.feature.properties;
    var tip = document.createElement("span");
    tip.textContent = props.name + " : " + numbers.format(props.value);
    basin.bindTooltip(tip, {sticky: true});
  });

  map.on("moveend", refresh);
  refresh();
}());
