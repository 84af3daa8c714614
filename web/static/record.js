// Recording page: the reader reads the story one line at a time. One MediaRecorder
// records it all, in whatever format this browser makes; each tap of "Next line"
// keeps the time (ms from the start) the next line begins, for the read-along. The
// recording goes straight to S3 with a presigned form the site signs when Send is
// tapped (one signed when the page opened could have expired during a long reading),
// then the site is told, and checks what arrived before the story plays it.
(function () {
  "use strict";
  var root = document.getElementById("record");
  if (!root) { return; }
  var status = document.getElementById("status");
  var lines = Array.prototype.slice.call(root.querySelectorAll(".script-line"));
  var formUrl = root.getAttribute("data-form");
  var finishUrl = root.getAttribute("data-finish");
  var maxBytes = Number(root.getAttribute("data-max-bytes"));
  var parts = {
    intro: document.getElementById("intro"),
    reading: document.getElementById("reading"),
    review: document.getElementById("review")
  };
  var button = function (id) { return document.getElementById(id); };
  var reader = button("reader");
  var recorder = null;
  var stream = null;
  var chunks = [];
  var times = [];
  var current = 0;
  var startedAt = 0;
  var durationMs = 0;
  var recording = null;

  function say(text) { status.textContent = text; }

  function show(name) {
    Object.keys(parts).forEach(function (key) { parts[key].hidden = key !== name; });
    root.setAttribute("data-step", name);
    button("give-up").hidden = name !== "reading" && name !== "review";
  }

  function mimeType() {
    var wanted = ["audio/webm;codecs=opus", "audio/mp4"];
    for (var i = 0; i < wanted.length; i += 1) {
      if (MediaRecorder.isTypeSupported(wanted[i])) { return wanted[i]; }
    }
    return "";
  }

  function showLine(index) {
    current = index;
    lines.forEach(function (line, i) { line.classList.toggle("current", i === index); });
    button("progress").textContent = "Line " + (index + 1) + " of " + lines.length;
    button("next").textContent = index === lines.length - 1 ? "Done" : "Next line";
  }

  function elapsed() { return Math.round(performance.now() - startedAt); }

  function release() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
  }

  function start() {
    if (!reader.value.trim()) {
      say("Please write your name first, as the child will see it.");
      reader.focus();
      return;
    }
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      say("This browser cannot record. Try a recent Chrome, Firefox or Safari.");
      return;
    }
    say("Asking for the microphone…");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (microphone) {
      stream = microphone;
      chunks = [];
      var type = mimeType();
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      recorder.addEventListener("dataavailable", function (event) { chunks.push(event.data); });
      recorder.addEventListener("start", function () {
        startedAt = performance.now();
        times = [0];
        showLine(0);
        show("reading");
        say("Recording. Read the line aloud, then tap Next line.");
        button("next").focus();
      });
      recorder.start();
    }, function () {
      say("We could not use the microphone. Allow it for this page, then tap Start again.");
    });
  }

  function next() {
    var at = elapsed();
    if (current < lines.length - 1) {
      times.push(at);
      showLine(current + 1);
      return;
    }
    durationMs = at;
    recorder.addEventListener("stop", function () {
      recording = new Blob(chunks, { type: recorder.mimeType || (chunks[0] && chunks[0].type) });
      button("listen").src = URL.createObjectURL(recording);
      show("review");
      say("Done. Listen back, then send it, or start again.");
    }, { once: true });
    recorder.stop();
    release();
  }

  function redoLine() {
    // One recording holds every line: the line starts again from now, and what was
    // read of it before is heard under the line before (a retake, not a cut).
    times[current] = elapsed();
    say("Read the line again when you are ready.");
  }

  function stopRecording() {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    release();
  }

  function redoAll() {
    stopRecording();
    recording = null;
    show("intro");
    say("Start again when you are ready.");
  }

  function giveUp() {
    stopRecording();
    recording = null;
    show("intro");
    say("Nothing was sent. Tonight's story keeps its usual narration.");
  }

  function formData(upload) {
    var form = new FormData();
    Object.keys(upload.fields).forEach(function (name) { form.append(name, upload.fields[name]); });
    form.append("Content-Type", recording.type || "audio/webm");
    form.append("file", recording, "reading");
    return form;
  }

  function uploadWith(upload) {
    // S3 answers a form from another origin without CORS headers: the site's check
    // below says whether it arrived.
    var sent = { method: "POST", mode: "no-cors", body: formData(upload) };
    return fetch(upload.url, sent).then(function () {
      var body = new URLSearchParams({
        key: upload.fields.key,
        reader: reader.value.trim(),
        duration: String(durationMs),
        times: times.join(",")
      });
      return fetch(finishUrl, { method: "POST", body: body, credentials: "same-origin" });
    });
  }

  function send() {
    if (recording.size > maxBytes) {
      say("This recording is too large to send (over 30 MB). Please read it again a little faster.");
      return;
    }
    button("send").disabled = true;
    say("Sending your reading…");
    // The upload form is signed now, for the upload only; a refusal is told like the check's.
    fetch(formUrl, { method: "POST", credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json().then(uploadWith) : response;
    }).then(function (response) {
      return response.json().then(function (answer) {
        say(answer.message);
        if (response.ok) { show("sent"); } else { button("send").disabled = false; }
      });
    }).catch(function () {
      button("send").disabled = false;
      say("The recording could not be sent. Check the connection and tap Send again.");
    });
  }

  button("start").addEventListener("click", start);
  button("next").addEventListener("click", next);
  button("redo-line").addEventListener("click", redoLine);
  button("redo-all").addEventListener("click", redoAll);
  button("give-up").addEventListener("click", giveUp);
  button("send").addEventListener("click", send);
}());
