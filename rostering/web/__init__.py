"""The planner's web view (`rostering serve`): workspace, jobs, JSON views, FastAPI app, static page."""
