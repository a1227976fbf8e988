// Location picker with Leaflet. Only loaded when a tile server is configured
// (BUERGERTICKET_MAP_TILES); the address field works without it.
(function () {
  "use strict";
  var wrap = document.querySelector("[data-map-tiles]");
  if (!wrap || typeof L === "undefined") { return; }
  var lat = document.querySelector('input[name="latitude"]');
  var lon = document.querySelector('input[name="longitude"]');
  var status = document.getElementById("bt-map-status");
  var center = (wrap.dataset.mapCenter || "51.1657,10.4515,6").split(",").map(parseFloat);
  var chosen = lat.value && lon.value;
  var start = chosen ? [parseFloat(lat.value), parseFloat(lon.value)] : [center[0], center[1]];
  var map = L.map("bt-map", { keyboard: true }).setView(start, chosen ? 17 : (center[2] || 13));
  L.tileLayer(wrap.dataset.mapTiles, { maxZoom: 19, attribution: wrap.dataset.mapAttribution || "" }).addTo(map);
  var marker = null;

  function choose(latlng, message) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    status.textContent = message + " (" + lat.value + ", " + lon.value + ")";
  }
  if (chosen) { marker = L.marker(start).addTo(map); }
  map.on("click", function (event) { choose(event.latlng, wrap.dataset.msgClick); });
  document.getElementById("bt-map-center").addEventListener("click", function () {
    choose(map.getCenter(), wrap.dataset.msgCenter);
  });
  var locate = document.getElementById("bt-map-locate");
  if (!navigator.geolocation) { locate.hidden = true; }
  locate.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
      map.setView(here, 17);
      choose(here, wrap.dataset.msgLocate);
    }, function () { status.textContent = wrap.dataset.msgFail; });
  });
})();
