"""The function apps on Azure (Python v2 programming model): one file per app of infra/, each a FunctionApp.

Azure grants identity per function app, not per function, so infra/ splits the functions into apps by
what they may touch (blocks/function_app). Each file here registers that app's functions only, under
the names infra/ gives them (its `functions` map); `make package` (tools/azure/package.py) writes the
app's archive with a function_app.py that imports its `app`, and the code that app imports.
"""
