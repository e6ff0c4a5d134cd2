/* Stack editor: turns a text field of comma-separated middleware names into an ordered list you can edit.
 *
 * The field stays the form's input (hidden once the editor is built) and always holds the names, outermost
 * first, so the form posts the same thing with or without this script. Every control is a real button or
 * select: Tab reaches them, Enter and Space press them, and a polite live region says what changed.
 * Markup comes from the field's data attributes (data-choices, data-max); nothing inline, for the CSP.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function parse(value) {
    return value.split(/[,\n]/).map(function (name) { return name.trim(); }).filter(Boolean);
  }

  function build(input) {
    if (input.dataset.stackEditorReady) return;
    input.dataset.stackEditorReady = "1";
    var choices = JSON.parse(input.dataset.choices || "[]");
    var max = parseInt(input.dataset.max || "16", 10);
    var names = parse(input.value);
    var label = document.querySelector("label[for='" + input.id + "']");
    if (label && !label.id) label.id = input.id + "-label";

    var editor = el("div", "stack-editor__ui");
    var list = el("ol", "stack-editor__list");
    if (label) list.setAttribute("aria-labelledby", label.id);
    var status = el("p", "visually-hidden");
    status.setAttribute("aria-live", "polite");

    var add = el("div", "stack-editor__add");
    var pickerId = input.id + "-add";
    var pickerLabel = el("label", "stack-editor__add-label", "Add a layer");
    pickerLabel.htmlFor = pickerId;
    var picker = el("select", "stack-editor__picker");
    picker.id = pickerId;
    var addButton = el("button", "button button--quiet stack-editor__add-button", "Add innermost");
    addButton.type = "button";
    add.append(pickerLabel, picker, addButton);
    editor.append(list, add, status);
    input.hidden = true;
    // A hidden field cannot show the browser's own "required" bubble; the server's message comes back beside it.
    input.required = false;
    input.parentNode.insertBefore(editor, input.nextSibling);

    function sync() {
      input.value = names.join(",");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function say(message) { status.textContent = message; }

    function render(focus) {
      list.textContent = "";
      names.forEach(function (name, index) {
        var item = el("li", "stack-editor__item");
        item.dataset.name = name;
        var position = el("span", "stack-editor__pos", String(index + 1));
        position.setAttribute("aria-hidden", "true");
        var code = el("code", "stack-editor__name", name);
        if (choices.indexOf(name) === -1) item.classList.add("stack-editor__item--unknown");
        var buttons = el("span", "stack-editor__buttons");
        [
          ["up", "↑", "Move " + name + " up (outwards)", index === 0],
          ["down", "↓", "Move " + name + " down (inwards)", index === names.length - 1],
          ["remove", "✕", "Remove " + name, false],
        ].forEach(function (spec) {
          var button = el("button", "stack-editor__button", spec[1]);
          button.type = "button";
          button.dataset.action = "stack-" + spec[0];
          button.dataset.index = String(index);
          button.setAttribute("aria-label", spec[2]);
          button.title = spec[2];
          button.disabled = spec[3];
          buttons.append(button);
        });
        item.append(position, code, buttons);
        list.append(item);
      });
      if (!names.length) list.append(el("li", "stack-editor__empty muted", "No layers: add one below."));
      picker.textContent = "";
      choices.forEach(function (name) {
        if (names.indexOf(name) === -1) picker.append(new Option(name, name));
      });
      var full = names.length >= max;
      picker.disabled = full || !picker.options.length;
      addButton.disabled = picker.disabled;
      addButton.title = full ? "At most " + max + " layers" : "";
      if (focus) focus();
    }

    function focusButton(index, action) {
      return function () {
        var row = list.children[Math.max(0, Math.min(index, names.length - 1))];
        var target = row && (row.querySelector("[data-action='stack-" + action + "']:not([disabled])") ||
          row.querySelector("button:not([disabled])"));
        (target || picker).focus();
      };
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var index = parseInt(button.dataset.index, 10);
      var name = names[index];
      var action = button.dataset.action.replace("stack-", "");
      if (action === "remove") {
        names.splice(index, 1);
        sync();
        render(names.length ? focusButton(index, "remove") : function () { picker.focus(); });
        say("Removed " + name + ".");
        return;
      }
      var to = action === "up" ? index - 1 : index + 1;
      if (to < 0 || to >= names.length) return;
      names.splice(index, 1);
      names.splice(to, 0, name);
      sync();
      render(focusButton(to, action));
      say(name + " is now layer " + (to + 1) + " of " + names.length + ".");
    });

    addButton.addEventListener("click", function () {
      var name = picker.value;
      if (!name || names.length >= max) return;
      names.push(name);
      sync();
      render(function () { picker.focus(); });
      say("Added " + name + " as the innermost layer, " + names.length + " of " + names.length + ".");
    });

    // A reset of the form (or a value set by another script) redraws the list from the field.
    input.addEventListener("change", function () { names = parse(input.value); render(); });
    input.form && input.form.addEventListener("reset", function () {
      setTimeout(function () { names = parse(input.value); render(); }, 0);
    });

    render();
  }

  function init() {
    document.querySelectorAll("input[data-stack-editor]").forEach(build);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
