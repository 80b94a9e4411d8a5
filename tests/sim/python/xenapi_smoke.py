"""Drives the simulator with Python's XenAPI client (Debian's python3-os-xenapi) over XML-RPC.

Usage: /usr/bin/python3 xenapi_smoke.py URL USER PASSWORD
Prints one JSON object describing what it saw; exits non-zero on any failure.
"""
import json
import sys
import time

from os_xenapi.client import XenAPI


def main():
    url, user, password = sys.argv[1:4]
    session = XenAPI.Session(url)
    session.xenapi.login_with_password(user, password, "1.0", "xen-chatops-test")
    try:
        api = session.xenapi
        vms = api.VM.get_all_records()
        template = next(ref for ref, r in vms.items() if r["is_a_template"] and r["name_label"] == "Debian Bookworm 12")
        task = api.Async.VM.clone(template, "py-clone")
        deadline = time.time() + 20
        while api.task.get_status(task) == "pending":
            if time.time() > deadline:
                raise SystemExit("task did not finish")
            time.sleep(0.05)
        record = api.task.get_record(task)
        api.task.destroy(task)
        new_vms = api.VM.get_all_records()
        clone = next(ref for ref, r in new_vms.items() if r["name_label"] == "py-clone")
        # `from` is a Python keyword, so XenAPI users call the alternative wire name event_from.
        batch = api.event_from(["vm"], "", 0.0)
        failure = None
        try:
            api.VM.get_record("OpaqueRef:bad")
        except XenAPI.Failure as error:
            failure = error.details
        print(json.dumps({
            "api_version": session.API_version,
            "vm_names": sorted(r["name_label"] for r in vms.values()),
            "memory_type": type(vms[template]["memory_static_max"]).__name__,
            "task_status": record["status"],
            "task_result": record["result"],
            "clone_ref": clone,
            "clone_is_template": new_vms[clone]["is_a_template"],
            "failure": failure,
            "event_classes": sorted({e["class"] for e in batch["events"]}),
            "event_int_types": sorted(
                {type(e["snapshot"]["VCPUs_max"]).__name__ for e in batch["events"] if "snapshot" in e}
            ),
        }))
    finally:
        session.xenapi.session.logout()


if __name__ == "__main__":
    main()
