using System.Globalization;
using System.Net;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>The page of <c>GET /</c>: drop or pick an image, see it with its top classes as bars and where the model looked. Self-contained (no external scripts or fonts).</summary>
internal static class TryPage
{
    /// <param name="askForKey">The server requires an API key: the page has a field for it.</param>
    public static string Html(ModelFile model, bool askForKey = false)
    {
        string Esc(string s) => WebUtility.HtmlEncode(s);
        string accuracy = model.Info.Validation is { } v
            ? string.Format(CultureInfo.InvariantCulture, "validation accuracy {0:P1} on {1} images", v.Accuracy, v.Count)
            : "validation accuracy not recorded in this model";
        return $$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Try the model</title><style>
            body{font-family:system-ui,sans-serif;margin:24px auto;max-width:760px;color:#222;padding:0 12px}
            #drop{display:block;border:2px dashed #888;border-radius:8px;padding:28px;text-align:center;cursor:pointer;background:#fafafa}
            #drop.over{background:#eef6ff;border-color:#2a6fdb} #preview{max-width:48%;max-height:320px;display:none;border-radius:6px}
            #images{display:flex;gap:16px;align-items:flex-start;margin:16px 0} #heat{margin:0;text-align:center;color:#555;font-size:.9em} #heat img{width:224px;border-radius:6px}
            #result{font-size:1.6em;font-weight:600;margin:12px 0 4px} .bar{display:flex;align-items:center;margin:6px 0}
            .bar span{width:180px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap} .bar div{height:18px;background:#2a6fdb;border-radius:3px;margin:0 8px}
            #error{color:#b00020} .meta{color:#555;font-size:.92em}
            </style></head><body>
            <h1>Try the model</h1>
            <p class="meta">Classes: <b>{{Esc(string.Join(", ", model.Classes))}}</b> · backbone {{Esc(model.Info.Backbone)}} · {{Esc(accuracy)}}</p>
            {{(askForKey ? "<p><label>API key <input id=\"key\" type=\"password\" autocomplete=\"off\"></label></p>" : "")}}
            <label id="drop" for="file">Drop an image here, or click to pick one<input id="file" type="file" accept="image/*" hidden></label>
            <div id="images"><img id="preview" alt="the image sent"><figure id="heat" hidden><img id="heatmap" alt="where the model looked"><figcaption>where the model looked</figcaption></figure></div>
            <div id="result"></div><div id="unknown" class="meta"></div><div id="bars"></div><div id="error"></div>
            <script>
            const drop = document.getElementById('drop'), input = document.getElementById('file');
            const show = (id, text) => document.getElementById(id).textContent = text;
            async function classify(file) {
              const preview = document.getElementById('preview');
              preview.src = URL.createObjectURL(file); preview.style.display = 'block';
              show('result', 'classifying…'); show('error', ''); show('unknown', ''); document.getElementById('bars').innerHTML = '';
              document.getElementById('heat').hidden = true;
              document.body.dataset.state = 'busy';
              try {
                const headers = { 'Content-Type': file.type || 'application/octet-stream' };
                const key = document.getElementById('key');
                if (key && key.value) headers['Authorization'] = 'Bearer ' + key.value;
                const response = await fetch('predict', { method: 'POST', body: file, headers });
                const answer = await response.json();
                if (!response.ok) { show('result', ''); show('error', answer.title + ': ' + answer.detail); return; }
                show('result', answer.predictedLabel);
                show('unknown', answer.unknown ? 'but it looks like none of the images the model was trained on' : '');
                const top = Object.entries(answer.scores).sort((a, b) => b[1] - a[1]).slice(0, 5);
                const bars = document.getElementById('bars');
                for (const [name, p] of top) {
                  const row = document.createElement('div'); row.className = 'bar';
                  const label = document.createElement('span'); label.textContent = name;
                  const bar = document.createElement('div'); bar.style.width = Math.max(2, Math.round(p * 400)) + 'px';
                  const value = document.createElement('em'); value.textContent = (p * 100).toFixed(1) + '%';
                  row.append(label, bar, value); bars.append(row);
                }
                // then where it looked: a second request, so that the answer shows at once
                const heat = await fetch('explain', { method: 'POST', body: file, headers });
                if (heat.ok) {
                  document.getElementById('heatmap').src = URL.createObjectURL(await heat.blob());
                  document.getElementById('heat').hidden = false;
                }
              } catch (e) { show('result', ''); show('error', String(e)); }
              finally { document.body.dataset.state = 'done'; }
            }
            input.addEventListener('change', () => input.files.length && classify(input.files[0]));
            drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
            drop.addEventListener('dragleave', () => drop.classList.remove('over'));
            drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files.length) classify(e.dataTransfer.files[0]); });
            </script></body></html>
            """;
    }
}
