"""OData v4 query handling as Dataverse applies it: ``$filter`` parsing (``parser``), compiling a filter
into a row predicate (``evaluate``), system query options (``query``) and the ``Prefer`` header
(``prefer``). Everything here is pure: no I/O, no store, so it is unit-tested on its own."""
