/* Block Kit and mrkdwn drawn as HTML, the way the Slack client shows them.
 *
 * BlockKit.render(blocks, ctx) returns a DOM node. ctx: {people: {id: name}, channels: {id: name},
 * tz, onAction(element, blockId, chosen), confirm(confirmObject) -> Promise<bool>, inModal}.
 * Everything that comes from the app is escaped before it becomes HTML.
 */
(function () {
  "use strict";

  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", red_circle: "🔴",
    large_green_circle: "🟢", green_circle: "🟢", large_orange_circle: "🟠", orange_circle: "🟠",
    large_yellow_circle: "🟡", yellow_circle: "🟡", large_blue_circle: "🔵", white_circle: "⚪",
    black_circle: "⚫", calendar: "📆", date: "📅", spiral_calendar_pad: "🗓️", memo: "📝", pushpin: "📌",
    bell: "🔔", tada: "🎉", clock3: "🕒", hourglass: "⌛", hourglass_flowing_sand: "⏳", fire: "🔥",
    fire_engine: "🚒", rotating_light: "🚨", eyes: "👀", thumbsup: "👍", "+1": "👍", thumbsdown: "👎",
    bar_chart: "📊", chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉",
    information_source: "ℹ️", lock: "🔒", bulb: "💡", link: "🔗", page_facing_up: "📄", clipboard: "📋",
    mag: "🔍", wave: "👋", slightly_smiling_face: "🙂", smile: "😄", no_entry: "⛔", no_entry_sign: "🚫",
    arrow_right: "➡️", arrows_counterclockwise: "🔄", star: "⭐", speech_balloon: "💬", construction: "🚧",
    hammer_and_wrench: "🛠️", busts_in_silhouette: "👥", bust_in_silhouette: "👤", heavy_plus_sign: "➕",
    pencil2: "✏️", gear: "⚙️", house: "🏠", question: "❓", exclamation: "❗", sparkles: "✨",
    green_heart: "💚", rocket: "🚀", raised_hands: "🙌", ok_hand: "👌", inbox_tray: "📥",
    outbox_tray: "📤", paperclip: "📎", scroll: "📜", shield: "🛡️", stopwatch: "⏱️", zap: "⚡",
  };

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function unescapeSlack(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emojify(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => EMOJI[name] || whole);
  }

  function safeUrl(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  function ordinal(n) {
    const s = ["th", "st", "nd", "rd"], v = n % 100;
    return n + (s[(v - 20) % 10] || s[v] || s[0]);
  }

  function parts(date, tz) {
    const f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, year: "numeric", month: "numeric", day: "numeric",
      weekday: "long", hour: "numeric", minute: "2-digit", second: "2-digit", hour12: false });
    const out = {};
    for (const p of f.formatToParts(date)) out[p.type] = p.value;
    return out;
  }

  // <!date^1392734382^{date_short} at {time}|fallback>: formatted in the viewer's timezone.
  function formatDate(seconds, format, tz) {
    const when = new Date(seconds * 1000);
    const p = parts(when, tz), today = parts(new Date(), tz);
    const y = +p.year, m = +p.month, d = +p.day, hour = +p.hour % 24;
    const h12 = ((hour + 11) % 12) + 1, ampm = hour < 12 ? "AM" : "PM";
    const dayDiff = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(+today.year, +today.month - 1, +today.day)) / 86400000);
    const pretty = (fallback) => dayDiff === 0 ? "today" : dayDiff === -1 ? "yesterday" : dayDiff === 1 ? "tomorrow" : fallback;
    const long = `${p.weekday}, ${MONTHS[m - 1]} ${ordinal(d)}, ${y}`;
    const plain = `${MONTHS[m - 1]} ${ordinal(d)}, ${y}`;
    const short = `${MONTHS[m - 1].slice(0, 3)} ${d}, ${y}`;
    const secondsAgo = Math.round((Date.now() - when.getTime()) / 1000);
    const ago = secondsAgo < 60 ? "just now" : secondsAgo < 3600 ? `${Math.round(secondsAgo / 60)} minutes ago`
      : secondsAgo < 86400 ? `${Math.round(secondsAgo / 3600)} hours ago` : `${Math.round(secondsAgo / 86400)} days ago`;
    const tokens = {
      date_num: `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
      date: plain, date_short: short, date_long: long,
      date_pretty: pretty(plain), date_short_pretty: pretty(short), date_long_pretty: pretty(long),
      time: `${h12}:${p.minute} ${ampm}`, time_secs: `${h12}:${p.minute}:${p.second} ${ampm}`, ago: ago,
    };
    return format.replace(/\{(\w+)\}/g, (whole, name) => (name in tokens ? tokens[name] : whole));
  }

  // One <…> token of mrkdwn: a link, a mention, a channel, a date or a special mention.
  function token(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const name = (ctx.people && ctx.people[id]) || label || id;
      return `<span class="mention" data-user="${esc(id)}">@${esc(name)}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = label || (ctx.channels && ctx.channels[id]) || id;
      return `<span class="mention channel">#${esc(name)}</span>`;
    }
    if (target.startsWith("!date^")) {
      const [, seconds, format, link] = target.split("^");
      const shown = Number.isFinite(+seconds) ? formatDate(+seconds, format || "{date}", ctx.tz || "UTC")
        : (label || "");
      const url = link && safeUrl(link);
      return url ? `<a href="${esc(url)}" target="_blank" rel="noopener">${esc(shown)}</a>`
        : `<span class="date" title="${esc(label || "")}">${esc(shown)}</span>`;
    }
    if (target.startsWith("!subteam^")) return `<span class="mention">${esc(label || "@group")}</span>`;
    if (target.startsWith("!")) return `<span class="mention">@${esc(target.slice(1))}</span>`;
    const url = safeUrl(target);
    if (!url) return esc(label || target);
    return `<a href="${esc(url)}" target="_blank" rel="noopener">${esc(label || target)}</a>`;
  }

  function splitOnce(text, sep) {
    const at = text.indexOf(sep);
    return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
  }

  const SPAN = (mark) => new RegExp(`(^|[^\\w${mark}])\\${mark}(?=\\S)([^${mark}\\n]*?\\S)\\${mark}(?=$|[^\\w${mark}])`, "g");
  const BOLD = SPAN("*"), ITALIC = SPAN("_"), STRIKE = SPAN("~");

  function styleText(raw, ctx) {
    const found = [];
    let text = raw.replace(/<([^<>\n]+)>/g, (whole, inner) => {
      found.push(token(unescapeSlack(inner), ctx));
      return `\u0000${found.length - 1}\u0000`;
    });
    text = emojify(esc(unescapeSlack(text)));
    text = text.replace(BOLD, "$1<b>$2</b>").replace(ITALIC, "$1<i>$2</i>").replace(STRIKE, "$1<s>$2</s>");
    text = text.split("\n").map((line) => line.startsWith("&gt; ") || line === "&gt;"
      ? `<span class="quote">${line.slice(4).trimStart()}</span>` : line).join("<br>");
    return text.replace(/\u0000(\d+)\u0000/g, (whole, n) => found[+n]);
  }

  // mrkdwn to HTML: code first (nothing inside it is formatted), then tokens and styles.
  function mrkdwn(text, ctx) {
    const out = [];
    const pieces = String(text || "").split(/(```[\s\S]*?```|`[^`\n]+`)/);
    for (const piece of pieces) {
      if (piece.startsWith("```") && piece.endsWith("```") && piece.length >= 6) {
        out.push(`<pre class="code-block">${esc(unescapeSlack(piece.slice(3, -3).replace(/^\n/, "")))}</pre>`);
      } else if (piece.startsWith("`") && piece.endsWith("`") && piece.length >= 2) {
        out.push(`<code>${esc(unescapeSlack(piece.slice(1, -1)))}</code>`);
      } else {
        out.push(styleText(piece, ctx));
      }
    }
    return out.join("");
  }

  function textHtml(obj, ctx) {
    if (!obj) return "";
    if (typeof obj === "string") return mrkdwn(obj, ctx);
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    const plain = esc(obj.text || "");
    return obj.emoji === false ? plain : emojify(plain);
  }

  function el(tag, className, html) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function withConfirm(ctx, confirm, go) {
    if (!confirm) return go();
    return ctx.confirm(confirm).then((yes) => { if (yes) go(); });
  }

  function optionHtml(option, ctx) {
    return textHtml(option.text, ctx);
  }

  function allOptions(element) {
    let found = (element.options || []).slice();
    for (const group of element.option_groups || []) found = found.concat(group.options || []);
    return found;
  }

  // An interactive element. In an input block (`input` true) it only holds a value; elsewhere using
  // it sends block_actions through ctx.onAction, after its confirm dialog if it has one.
  function element(elem, blockId, ctx, input) {
    const act = (chosen) => withConfirm(ctx, elem.confirm, () => ctx.onAction(elem, blockId, chosen));
    const dispatches = !input || ctx.dispatchInputs;
    const mark = (node) => {
      node.dataset.blockId = blockId;
      node.dataset.actionId = elem.action_id || "";
      node.dataset.type = elem.type;
      return node;
    };
    switch (elem.type) {
      case "button": {
        const b = mark(el("button", `bk-button ${elem.style || ""}`.trim(), textHtml(elem.text, ctx)));
        b.type = "button";
        b.addEventListener("click", () => {
          const url = elem.url && safeUrl(elem.url);
          if (url) window.open(url, "_blank", "noopener");
          act({});
        });
        return b;
      }
      case "overflow": {
        const wrap = mark(el("span", "bk-overflow"));
        const b = el("button", "bk-button overflow-button", "⋮");
        b.type = "button";
        b.setAttribute("aria-label", "More actions");
        const menu = el("div", "overflow-menu");
        menu.hidden = true;
        for (const option of elem.options || []) {
          const item = el("button", "overflow-item", optionHtml(option, ctx));
          item.type = "button";
          item.dataset.value = option.value;
          item.addEventListener("click", () => { menu.hidden = true; act({ value: option.value }); });
          menu.appendChild(item);
        }
        b.addEventListener("click", () => { menu.hidden = !menu.hidden; });
        wrap.append(b, menu);
        return wrap;
      }
      case "static_select": case "external_select": case "users_select": case "conversations_select":
      case "channels_select": {
        const s = mark(el("select", "bk-select"));
        const placeholder = el("option", "", textHtml(elem.placeholder, ctx) || "Select an item");
        placeholder.value = "";
        s.appendChild(placeholder);
        for (const option of allOptions(elem)) {
          const o = el("option", "", optionHtml(option, ctx));
          o.value = option.value;
          if (elem.initial_option && elem.initial_option.value === option.value) o.selected = true;
          s.appendChild(o);
        }
        if (dispatches) s.addEventListener("change", () => act({ value: s.value }));
        return s;
      }
      case "datepicker": {
        const d = mark(el("input", "bk-date"));
        d.type = "date";
        if (elem.initial_date) d.value = elem.initial_date;
        if (dispatches) d.addEventListener("change", () => act({ date: d.value }));
        return d;
      }
      case "timepicker": {
        const t = mark(el("input", "bk-date"));
        t.type = "time";
        if (elem.initial_time) t.value = elem.initial_time;
        if (dispatches) t.addEventListener("change", () => act({ time: t.value }));
        return t;
      }
      case "plain_text_input": {
        const i = mark(el(elem.multiline ? "textarea" : "input", "bk-text"));
        if (elem.initial_value) i.value = elem.initial_value;
        if (elem.max_length) i.maxLength = elem.max_length;
        if (elem.placeholder) i.placeholder = elem.placeholder.text || "";
        return i;
      }
      case "checkboxes": case "radio_buttons": {
        const group = mark(el("div", "bk-choices"));
        const initial = elem.initial_options || (elem.initial_option ? [elem.initial_option] : []);
        for (const option of elem.options || []) {
          const label = el("label", "bk-choice");
          const box = el("input");
          box.type = elem.type === "checkboxes" ? "checkbox" : "radio";
          box.name = `${blockId}.${elem.action_id}`;
          box.value = option.value;
          box.checked = initial.some((o) => o.value === option.value);
          if (dispatches) box.addEventListener("change", () => act(elem.type === "checkboxes"
            ? { values: Array.from(group.querySelectorAll("input:checked")).map((x) => x.value) } : { value: option.value }));
          label.append(box, el("span", "", optionHtml(option, ctx)));
          group.appendChild(label);
        }
        return group;
      }
      case "image": {
        const img = el("img", "bk-image-element");
        img.src = elem.image_url || "";
        img.alt = elem.alt_text || "";
        img.title = elem.alt_text || "";
        img.addEventListener("error", () => { img.replaceWith(el("span", "bk-image-missing", esc(elem.alt_text || "image"))); });
        return img;
      }
      default:
        return el("span", "bk-unsupported", `[${esc(elem.type || "element")}]`);
    }
  }

  function richText(block, ctx) {
    const inline = (items) => (items || []).map((item) => {
      const style = item.style || {};
      let html;
      switch (item.type) {
        case "text": html = esc(item.text || ""); break;
        case "link": html = safeUrl(item.url || "") ? `<a href="${esc(item.url)}" target="_blank" rel="noopener">${esc(item.text || item.url)}</a>` : esc(item.text || ""); break;
        case "user": html = `<span class="mention">@${esc((ctx.people || {})[item.user_id] || item.user_id)}</span>`; break;
        case "channel": html = `<span class="mention channel">#${esc((ctx.channels || {})[item.channel_id] || item.channel_id)}</span>`; break;
        case "emoji": html = item.unicode ? esc(String.fromCodePoint(...item.unicode.split("-").map((h) => parseInt(h, 16)))) : emojify(`:${esc(item.name)}:`); break;
        case "date": html = esc(formatDate(item.timestamp, item.format || "{date}", ctx.tz || "UTC")); break;
        default: html = "";
      }
      if (style.code) html = `<code>${html}</code>`;
      if (style.bold) html = `<b>${html}</b>`;
      if (style.italic) html = `<i>${html}</i>`;
      if (style.strike) html = `<s>${html}</s>`;
      return html;
    }).join("").replace(/\n/g, "<br>");
    const part = (p) => {
      switch (p.type) {
        case "rich_text_section": return `<div>${inline(p.elements)}</div>`;
        case "rich_text_preformatted": return `<pre class="code-block">${inline(p.elements)}</pre>`;
        case "rich_text_quote": return `<div class="quote">${inline(p.elements)}</div>`;
        case "rich_text_list": {
          const tag = p.style === "ordered" ? "ol" : "ul";
          return `<${tag}>${(p.elements || []).map((s) => `<li>${inline(s.elements)}</li>`).join("")}</${tag}>`;
        }
        default: return "";
      }
    };
    return el("div", "bk-rich-text", (block.elements || []).map(part).join(""));
  }

  function block(b, ctx) {
    const blockId = b.block_id || "";
    let node;
    switch (b.type) {
      case "header":
        node = el("div", "bk-header", textHtml(b.text, ctx));
        break;
      case "section": {
        node = el("div", "bk-section");
        const body = el("div", "bk-section-body");
        if (b.text) body.appendChild(el("div", "bk-text-block", textHtml(b.text, ctx)));
        if (b.fields && b.fields.length) {
          const grid = el("div", "bk-fields");
          for (const f of b.fields) grid.appendChild(el("div", "bk-field", textHtml(f, ctx)));
          body.appendChild(grid);
        }
        node.appendChild(body);
        if (b.accessory) {
          const side = el("div", "bk-accessory");
          side.appendChild(element(b.accessory, blockId, ctx, false));
          node.appendChild(side);
        }
        break;
      }
      case "context": {
        node = el("div", "bk-context");
        for (const item of b.elements || []) {
          node.appendChild(item.type === "image" ? element(item, blockId, ctx, false)
            : el("span", "bk-context-text", textHtml(item, ctx)));
        }
        break;
      }
      case "divider":
        node = el("hr", "bk-divider");
        break;
      case "actions": {
        node = el("div", "bk-actions");
        for (const item of b.elements || []) node.appendChild(element(item, blockId, ctx, false));
        break;
      }
      case "image": {
        node = el("figure", "bk-image");
        if (b.title) node.appendChild(el("figcaption", "", textHtml(b.title, ctx)));
        node.appendChild(element({ type: "image", image_url: b.image_url, alt_text: b.alt_text }, blockId, ctx, false));
        break;
      }
      case "input": {
        node = el("div", "bk-input");
        const label = el("label", "bk-label", textHtml(b.label, ctx) + (b.optional ? ' <span class="optional">(optional)</span>' : ""));
        node.appendChild(label);
        const inputCtx = b.dispatch_action ? Object.assign({}, ctx, { dispatchInputs: true }) : ctx;
        const input = element(b.element || {}, blockId, inputCtx, true);
        input.classList.add("bk-input-element");
        node.appendChild(input);
        if (b.hint) node.appendChild(el("div", "bk-hint", textHtml(b.hint, ctx)));
        node.appendChild(el("div", "bk-input-error"));
        node.dataset.optional = b.optional ? "1" : "";
        break;
      }
      case "rich_text":
        node = richText(b, ctx);
        break;
      default:
        node = el("div", "bk-unsupported", `This block (${esc(b.type || "?")}) is not drawn by the sandbox.`);
    }
    node.dataset.blockId = blockId;
    node.classList.add("bk-block");
    return node;
  }

  function render(blocks, ctx) {
    const root = el("div", "bk-blocks");
    for (const b of blocks || []) root.appendChild(block(b, ctx));
    return root;
  }

  // The values of a view's inputs, as view.state.values: {block_id: {action_id: {type, …}}}.
  function stateOf(root) {
    const values = {};
    for (const node of root.querySelectorAll(".bk-input-element, .bk-block [data-action-id]")) {
      const blockId = node.dataset.blockId, actionId = node.dataset.actionId, type = node.dataset.type;
      if (blockId === undefined || !actionId || type === "button" || type === "overflow") continue;
      let value;
      switch (type) {
        case "plain_text_input": value = { type, value: node.value === "" ? null : node.value }; break;
        case "datepicker": value = { type, selected_date: node.value || null }; break;
        case "timepicker": value = { type, selected_time: node.value || null }; break;
        case "checkboxes": value = { type, selected_options: Array.from(node.querySelectorAll("input:checked")).map((x) => ({ value: x.value })) }; break;
        case "radio_buttons": {
          const picked = node.querySelector("input:checked");
          value = { type, selected_option: picked ? { value: picked.value } : null };
          break;
        }
        default: value = node.tagName === "SELECT" ? { type, selected_option: node.value ? { value: node.value } : null } : null;
      }
      if (!value) continue;
      (values[blockId] = values[blockId] || {})[actionId] = value;
    }
    return values;
  }

  // Puts each view's option objects back where only a value was kept, as Slack sends them.
  function fillOptions(values, blocks) {
    for (const b of blocks || []) {
      const elements = [b.element, b.accessory].concat(b.elements || []).filter(Boolean);
      for (const e of elements) {
        const held = values[b.block_id] && values[b.block_id][e.action_id];
        if (!held) continue;
        const full = (v) => allOptions(e).find((o) => o.value === v.value) || v;
        if (held.selected_option) held.selected_option = full(held.selected_option);
        if (held.selected_options) held.selected_options = held.selected_options.map(full);
      }
    }
    return values;
  }

  window.BlockKit = { render, mrkdwn, textHtml, stateOf, fillOptions, formatDate, esc };
})();
