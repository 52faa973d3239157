{{/* Names and labels. */}}
{{- define "ctxproxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ctxproxy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ctxproxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ctxproxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ctxproxy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "ctxproxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end -}}

{{/* The mode, checked once: everything else may trust it. */}}
{{- define "ctxproxy.mode" -}}
{{- if not (has .Values.mode (list "standalone" "sidecar")) -}}
{{- fail (printf "mode must be standalone or sidecar, not %q" .Values.mode) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end -}}

{{/* ctxproxy.yaml: the user's config with the mode's bind address and Redis backend. */}}
{{- define "ctxproxy.config" -}}
{{- $server := dict "host" (ternary "127.0.0.1" "0.0.0.0" (eq (include "ctxproxy.mode" .) "sidecar")) -}}
{{- $storage := dict "backend" (ternary "redis" "memory" .Values.redis.enabled) -}}
{{- $forced := dict "server" $server "storage" $storage -}}
{{- $cfg := mergeOverwrite (deepCopy .Values.config) $forced -}}
{{- toYaml $cfg -}}
{{- end -}}

{{- define "ctxproxy.port" -}}
{{- (.Values.config.server | default dict).port | default 8787 -}}
{{- end -}}

{{- define "ctxproxy.secretName" -}}
{{- printf "%s-secrets" (include "ctxproxy.fullname" .) -}}
{{- end -}}

{{/* Does the chart make its own Secret (redis URL, proxy keys or inline provider keys)? */}}
{{- define "ctxproxy.ownSecret" -}}
{{- if or (and .Values.redis.enabled (not .Values.redis.existingSecret)) (and .Values.proxyKeys.values (not .Values.proxyKeys.existingSecret)) .Values.providerKeys.values -}}
true
{{- end -}}
{{- end -}}

{{/* An exec probe: the sidecar listens on the pod's loopback only, out of the kubelet's reach. */}}
{{- define "ctxproxy.execProbe" -}}
exec:
  command:
    - python
    - -c
    - {{ printf "import urllib.request; urllib.request.urlopen('http://127.0.0.1:%s%s', timeout=2)" (toString .port) .path | quote }}
{{- end -}}

{{/* The ctxproxy container, shared by both modes. */}}
{{- define "ctxproxy.container" -}}
{{- $sidecar := eq (include "ctxproxy.mode" .) "sidecar" -}}
{{- $port := include "ctxproxy.port" . -}}
- name: ctxproxy
  image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if and $sidecar .Values.sidecar.native }}
  restartPolicy: Always
  {{- end }}
  args: ["serve"]
  env:
    - name: CTXPROXY_CONFIG
      value: /etc/ctxproxy/ctxproxy.yaml
    {{- if .Values.redis.enabled }}
    - name: CTXPROXY_STORAGE__URL
      valueFrom:
        secretKeyRef:
          name: {{ .Values.redis.existingSecret | default (include "ctxproxy.secretName" .) }}
          key: {{ ternary .Values.redis.existingSecretKey "CTXPROXY_STORAGE__URL" (ne .Values.redis.existingSecret "") }}
    {{- end }}
    {{- with .Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- $sources := list -}}
  {{- if .Values.proxyKeys.existingSecret }}{{ $sources = append $sources .Values.proxyKeys.existingSecret }}{{ end -}}
  {{- if .Values.providerKeys.existingSecret }}{{ $sources = append $sources .Values.providerKeys.existingSecret }}{{ end -}}
  {{- if or .Values.providerKeys.values (and .Values.proxyKeys.values (not .Values.proxyKeys.existingSecret)) }}{{ $sources = append $sources (include "ctxproxy.secretName" .) }}{{ end }}
  {{- with $sources }}
  envFrom:
    {{- range . }}
    - secretRef: {name: {{ . }}}
    {{- end }}
  {{- end }}
  ports:
    - {name: http, containerPort: {{ $port }}}
  {{- $p := .Values.probes }}
  startupProbe:
    {{- if $sidecar }}
    {{- include "ctxproxy.execProbe" (dict "port" $port "path" "/readyz") | nindent 4 }}
    {{- else }}
    httpGet: {path: /readyz, port: http}
    {{- end }}
    {{- toYaml $p.startup | nindent 4 }}
  readinessProbe:
    {{- if $sidecar }}
    {{- include "ctxproxy.execProbe" (dict "port" $port "path" "/readyz") | nindent 4 }}
    {{- else }}
    httpGet: {path: /readyz, port: http}
    {{- end }}
    {{- toYaml $p.readiness | nindent 4 }}
  livenessProbe:
    {{- if $sidecar }}
    {{- include "ctxproxy.execProbe" (dict "port" $port "path" "/livez") | nindent 4 }}
    {{- else }}
    httpGet: {path: /livez, port: http}
    {{- end }}
    {{- toYaml $p.liveness | nindent 4 }}
  lifecycle:
    preStop:
      exec: {command: ["sleep", "{{ .Values.preStopSleepSeconds }}"]}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    runAsUser: {{ .Values.podSecurityContext.runAsUser }}
    runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - {name: ctxproxy-config, mountPath: /etc/ctxproxy, readOnly: true}
    - {name: ctxproxy-cache, mountPath: {{ (.Values.config.catalog | default dict).cache_dir | default "/var/cache/ctxproxy" }}}
    - {name: ctxproxy-tmp, mountPath: /tmp}
{{- end -}}

{{- define "ctxproxy.volumes" -}}
- name: ctxproxy-config
  configMap: {name: {{ include "ctxproxy.fullname" . }}}
- name: ctxproxy-cache
  emptyDir:
    {{- toYaml .Values.cacheVolume | nindent 4 }}
- name: ctxproxy-tmp
  emptyDir:
    {{- toYaml .Values.tmpVolume | nindent 4 }}
{{- end -}}
