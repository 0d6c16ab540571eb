/* Territory picker: a select2 multiple select fed by grandest_territory_autocomplete. */
ckan.module("grandest-territories", function ($) {
  return {
    options: { source: null, placeholder: "" },
    initialize: function () {
      this.el.select2({
        width: "100%",
        placeholder: this.options.placeholder,
        allowClear: !this.el.prop("multiple"),
        minimumInputLength: 2,
        ajax: {
          url: this.options.source,
          delay: 250,
          data: function (params) { return { q: params.term, limit: 20 }; },
          processResults: function (data) {
            return {
              results: data.result.map(function (t) { return { id: t.key, text: t.label }; })
            };
          }
        }
      });
    }
  };
});
