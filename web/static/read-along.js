// Read-along: highlight the line being narrated. Uses a recording's tapped line
// times when the browser plays the recording (its <source data-starts>), else the
// narration's line marks (data-start, in ms) when the voice gave them, else an
// estimate from each line's length. The page works fully without this script.
(function () {
  "use strict";
  var audio = document.getElementById("narration");
  if (!audio) { return; }
  var lines = Array.prototype.slice.call(document.querySelectorAll(".line[data-line]"));
  var starts = null;
  var current = -1;

  function recordedStarts() {
    var sources = Array.prototype.slice.call(audio.querySelectorAll("source[data-starts]"));
    var playing = sources.filter(function (source) { return source.src === audio.currentSrc; });
    if (!playing.length) { return null; }
    var found = playing[0].getAttribute("data-starts").split(",").map(Number);
    return found.length === lines.length ? found : null;
  }

  function markedStarts() {
    var found = lines.map(function (line) { return Number(line.getAttribute("data-start")); });
    var complete = lines.every(function (line) { return line.hasAttribute("data-start"); });
    return complete ? found : null;
  }

  function estimatedStarts(durationMs) {
    var weights = lines.map(function (line) { return line.textContent.length + 12; });
    var total = weights.reduce(function (a, b) { return a + b; }, 0);
    var at = 0;
    return weights.map(function (weight) {
      var start = at;
      at += durationMs * weight / total;
      return start;
    });
  }

  function lineAt(ms) {
    var index = -1;
    for (var i = 0; i < starts.length && starts[i] <= ms; i += 1) { index = i; }
    return index;
  }

  function show(index) {
    if (index === current) { return; }
    if (current >= 0) { lines[current].classList.remove("reading"); }
    current = index;
    if (index < 0) { return; }
    var line = lines[index];
    line.classList.add("reading");
    var box = line.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      line.scrollIntoView({ block: "center" });
    }
  }

  function update() {
    if (!starts) {
      starts = recordedStarts() || markedStarts();
      if (!starts && isFinite(audio.duration)) { starts = estimatedStarts(audio.duration * 1000); }
      if (!starts) { return; }
    }
    show(lineAt(audio.currentTime * 1000));
  }

  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("ended", function () { show(-1); });
}());
