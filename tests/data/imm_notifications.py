"""Notification messages as the IMM page "asynchronous notification message format" documents them.

Page: https://help.aliyun.com/document_detail/2743997.html (also
https://help.aliyun.com/zh/imm/developer-reference/asynchronous-notification-format).
Copied verbatim except the ``// …`` comments the page puts inside its JSON, which are removed.
``ENVELOPES`` are whole message bodies; ``CONTENTS`` are the page's per-task examples,
which it shows as the decoded ``content`` alone ("下文中消息示例为通用消息体中的content内容").
"""

from __future__ import annotations

from typing import Dict

#: The "通用消息体" (common body) example.
GENERIC = r"""{
"id": "25E-1uBJUMOshisffTNk8********",
"source": "acs.imm",
"type": "imm:Task:******",
"subject": "",
"time": "1724136957925",
"content": "{}"
}"""

#: The complete CreateMediaConvertTask message.
MEDIA_CONVERT = r"""{
"id": "25E-1uBJUMOshisffTNk8Nr3GIj****",
"source": "acs.imm",
"type": "imm:Task:MediaConvert",
"subject": "acs:imm:cn-beijing:102321002467****:test-***/imm:Task:MediaConvert",
"time": "1724133063161",
"content": "{\"ProjectName\":\"test-project\",\"DatasetName\":\"\",\"RequestId\":\"F9F8F37F-3188-5EFE-9292-9F0AF98D****\",\"StartTime\":\"2024-08-20T07:03:07.36Z\",\"EndTime\":\"2024-08-20T07:03:08.57Z\",\"UserData\":\"\",\"TaskType\":\"MediaConvert\",\"TaskId\":\"MediaConvert-db7faf5a-99c5-4afe-8309-d167fe53****\",\"Status\":\"Succeeded\",\"Code\":\"\",\"Message\":\"\",\"EventSourceId\":\"\",\"Sources\":[{\"URI\":\"oss://your-bucket/immtest/test.mp4\",\"SubtitleSources\":null}],\"Targets\":[{\"URI\":\"\",\"Subtitle\":{\"Extract\":{\"URI\":\"\"}},\"Image\":{\"Sprites\":null,\"Snapshots\":[{\"URI\":\"oss://your-bucket/dest.png\"}],\"Animations\":null}}]}"
}"""

ENVELOPES: Dict[str, str] = {"generic": GENERIC, "media-convert": MEDIA_CONVERT}

#: IndexFileMeta, success.
INDEX_FILE_META_OK = """{ "ProjectName": "immtest", "DatasetName": "dataset1", "RequestId": "C96FE60A-C007-02BF-AC56-****", "StartTime": "2023-01-04T13:17:00.270148129+08:00", "EndTime": "2023-01-04T13:17:00.904455255+08:00", "Success": true, "Message": "", "Files": [ { "URI": "oss://test-bucket/test-object", "Error": "" } ] }"""  # noqa: E501

#: IndexFileMeta, failure.
INDEX_FILE_META_FAILED = """{ "ProjectName": "immtest", "DatasetName": "dataset1", "RequestId": "0FE445BD-F76C-031C-B9B1-****", "StartTime": "2023-01-04T13:20:23.938065853+08:00", "EndTime": "2023-01-04T13:20:24.092661447+08:00", "Success": true, "Message": "", "Files": [ { "URI": "oss://abcxxx", "Error": "[InvalidArgument] File does not exist." } ] }"""  # noqa: E501

#: BatchIndexFileMeta.
BATCH_INDEX_FILE_META = """{
"ProjectName": "immtest",
"DatasetName": "dataset1",
"RequestId": "337DDD2C-3F74-0CD7-9BDA-C439011406FC",
"StartTime": "2023-01-04T13:04:44.909424326+08:00",
"EndTime": "2023-01-04T13:04:45.669649372+08:00",
"Success": true,
"Message": "",
"Files": [
{
"URI": "oss://test-bucket/test-object-1",
"Error": ""
},
{
"URI": "oss://test-bucket/test-object-2",
"Error": "[InvalidArgument] File does not exist."
}
]
}"""

CONTENTS: Dict[str, str] = {
    "index-file-meta-ok": INDEX_FILE_META_OK,
    "index-file-meta-failed": INDEX_FILE_META_FAILED,
    "batch-index-file-meta": BATCH_INDEX_FILE_META,
}
