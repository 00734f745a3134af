def current_edition(request):
    # The request's lazy edition: templates that read it share the view's single query.
    return {"edition": request.edition}
