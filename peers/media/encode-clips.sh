#!/usr/bin/env bash
# How the shipped clips were made (ffmpeg with libx264 from Debian). The lab never encodes at run
# time: the pi-camera streams these pre-encoded frames, as the KVS samples do.
# Both: H.264 constrained baseline, no B-frames, SPS/PPS repeated before every IDR, 2 s loop.
set -euo pipefail
cd "$(dirname "$0")"
common=(-hide_banner -loglevel error -y -f lavfi)
x264=(-c:v libx264 -profile:v baseline -pix_fmt yuv420p -bf 0 -tune zerolatency -an -bsf:v h264_mp4toannexb)

# kvs: the KVS WebRTC C SDK sample profile, 1280x720 @ 25 fps, ~512 kb/s, IDR every 25 frames (42e01f)
ffmpeg "${common[@]}" -i "testsrc2=size=1280x720:rate=25:duration=2" "${x264[@]}" -level 3.1 \
  -b:v 512k -maxrate 512k -bufsize 512k -x264-params "keyint=25:min-keyint=25:scenecut=0:repeat-headers=1" kvs-720p25.h264

# pi: a Raspberry Pi WebRTC camera's default, 640x480 @ 30 fps, ~300 kb/s, IDR once per loop (42e028)
ffmpeg "${common[@]}" -i "testsrc2=size=640x480:rate=30:duration=2" "${x264[@]}" -level 4.0 \
  -b:v 300k -maxrate 300k -bufsize 300k -x264-params "keyint=60:min-keyint=60:scenecut=0:repeat-headers=1" pi-480p30.h264
